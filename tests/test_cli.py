"""Smoke tests of the console scripts, run as a user would run them (subprocesses)."""
import json, subprocess, sys, os
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
ENV = {**os.environ, 'TF_CPP_MIN_LOG_LEVEL': '2'}

def run(*args, check=True):
    r = subprocess.run([str(BIN/args[0]), *map(str, args[1:])], capture_output=True, text=True, env=ENV, timeout=900)
    if check: assert r.returncode == 0, f'{args[0]} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r

def test_train_help():
    out = run('cosface_train', '--help').stdout
    for flag in ['--data', '--val_data', '--output_dir', '--name', '--epochs', '--head_epochs', '--batch_size',
                 '--backbone', '--optimizer', '--lr', '--image_size', '--seed', '--config']:
        assert flag in out, flag

@pytest.mark.parametrize('script,flags', [
    ('cosface_validate', ['--model', '--lfw_root', '--pairs', '--save_dir', '--dataset_path', '--bin', '--no-flip', '--detector']),
    ('cosface_align', ['--src', '--dst', '--detector', '--min_score', '--select', '--workers']),
    ('cosface_report', ['--param', '--name', '--show_code', '--batch', '--force']),
    ('cosface_demo', ['--name', '--data', '--lfw_root', '--pairs'])])
def test_help(script, flags):
    out = run(script, '--help').stdout
    for f in flags: assert f in out, (script, f)

def test_train_missing_data_is_one_line():
    r = run('cosface_train', '--dataset_path', '/no/such/folder', check=False)
    assert r.returncode == 2
    assert r.stderr.strip() == 'cosface_train: error: dataset folder not found: /no/such/folder'

def test_train_bad_dataset(tmp_path):
    "A dataset with an empty folder, a 0-byte jpg, a text file named .jpg, a truncated JPEG and a 16-bit PNG trains anyway."
    from cosface.data import write_toy_faces, write_bad_files
    root = write_toy_faces(tmp_path/'faces', n_ids=3, n_imgs=5, size=32)
    write_bad_files(root/'id1')
    (root/'nobody').mkdir()
    r = run('cosface_train', '--data', root, '--output_dir', tmp_path/'run', '--backbone', 'mobilefacenet', '--image_size', 32,
            '--embedding_dim', 8, '--batch_size', 8, '--epochs', 2, '--head_epochs', 1, '--s', 16, '--verbose', 0)
    out = r.stdout
    assert 'zero.jpg: empty file (0 bytes)' in out and 'text.jpg: not an image' in out and 'truncated.jpg: corrupt or truncated JPEG' in out, out
    skipped = (tmp_path/'run'/'logs'/'skipped_files.csv').read_text()
    assert 'deep16.png' not in skipped and 'nobody,empty identity folder' in skipped, skipped
    for f in ['final_model.keras', 'embedding_model.keras', 'logs/history.csv', 'figures/curves.png', 'config.json']:
        assert (tmp_path/'run'/f).is_file(), f
    hist = json.loads((tmp_path/'run'/'logs'/'history.json').read_text())
    assert [h['phase'] for h in hist] == ['head', 'full']

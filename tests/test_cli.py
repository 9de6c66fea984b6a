"""Smoke tests of the console scripts, run as a user would run them (subprocesses)."""
import json, subprocess, sys, os
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k not in ('TF_CPP_MIN_LOG_LEVEL', 'COSFACE_VERBOSE')}
NOISE = ('absl::InitializeLog', 'cuInit', 'cuda drivers', 'cpu_feature_guard', 'oneDNN')

def run(*args, check=True):
    r = subprocess.run([str(BIN/args[0]), *map(str, args[1:])], capture_output=True, text=True, env=ENV, timeout=900)
    if check: assert r.returncode == 0, f'{args[0]} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r

def test_train_help_lists_every_config_field():
    from cosface.config import config_specs
    out = run('cosface_train', '--help').stdout
    for s in config_specs(): assert f'--{s.name}' in out, s.name
    for flag in ['--config', '--dataset_path', '--use_retinaface', '--overwrite', '--verbose']: assert flag in out, flag

@pytest.mark.parametrize('script,flags', [
    ('cosface_validate', ['--model', '--model_path', '--lfw_root', '--pairs', '--save_dir', '--dataset_path', '--bin', '--no-flip', '--detector']),
    ('cosface_align', ['--src', '--dst', '--detector', '--min_score', '--select', '--workers', '--batch']),
    ('cosface_report', ['--param', '--name', '--show_code', '--batch', '--force']),
    ('cosface_demo', ['--name', '--data', '--lfw_root', '--pairs']),
    ('cosface_embed', ['--model', '--src', '--out', '--detector', '--chunk', '--no-flip']),
    ('cosface_compare', ['--model', '--detector', '--threshold', 'IMAGE']),
    ('cosface_export', ['--model', '--format', '--output', '--precision', '--batch', '--images']),
    ('cosface_pack', ['SRC', 'DST', '--format', '--shards', '--name', 'rec,tfrecord']),
    ('cosface_publish', ['RUN', 'DEST', '--evals', '--recheck', '--overwrite']),
    ('cosface_train', ['--resume', '--keep_last', '--no-keep_best', '--save_every', '--deterministic', '--clip_norm', '--cache']),
    ('cosface_finetune', ['--resume', '--strategy', '--pretrained_model', '--dataset_path', '--output_dir', '--epochs', '--batch_size',
                          '--num_layers', '--lr', '--lr_multipliers', '--use_retinaface', '--eval_data', '--head_init'])])
def test_help(script, flags):
    if not (BIN/script).exists(): pytest.skip(f'{script} is not installed in this venv: run `pip install -e .` again to add new console scripts')
    out = run(script, '--help').stdout
    for f in flags: assert f in out, (script, f)

def test_train_missing_data_is_one_line():
    r = run('cosface_train', '--dataset_path', '/no/such/folder', check=False)
    assert r.returncode == 2
    assert r.stderr == 'cosface_train: error: dataset folder not found: /no/such/folder\n', r.stderr

def test_bad_value_is_one_line_before_any_work():
    r = run('cosface_train', '--batch_size', '0', '--output_dir', '/tmp/cosface-never-made', check=False)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'batch_size=0 is out of range' in r.stderr, r.stderr
    assert not Path('/tmp/cosface-never-made').exists()

def test_train_bad_dataset_then_load_after_import_cosface(tmp_path):
    "A dataset with an empty folder, a 0-byte jpg, a text file named .jpg, a truncated JPEG and a 16-bit PNG trains, quietly; its models load after `import cosface`."
    from cosface.testing import write_toy_faces, write_bad_files
    root = write_toy_faces(tmp_path/'faces', n_ids=3, n_imgs=5, size=32)
    write_bad_files(root/'id1')
    (root/'nobody').mkdir()
    r = run('cosface_train', '--data', root, '--output_dir', tmp_path/'run', '--backbone', 'mobilefacenet', '--image_size', 32,
            '--embedding_dim', 8, '--batch_size', 8, '--epochs', 2, '--head_epochs', 1, '--s', 16, '--progress', 0)
    out = r.stdout
    assert 'zero.jpg: empty file (0 bytes)' in out and 'text.jpg: not an image' in out and 'truncated.jpg: corrupt or truncated JPEG' in out, out
    assert not any(n in r.stderr for n in NOISE), r.stderr                       # TensorFlow started quietly
    skipped = (tmp_path/'run'/'logs'/'skipped_files.csv').read_text()
    assert 'deep16.png' not in skipped and 'nobody,empty identity folder' in skipped, skipped
    for f in ['final_model.keras', 'embedding_model.keras', 'logs/history.csv', 'logs/steps.csv', 'figures/curves.png', 'config.json', 'provenance.json']:
        assert (tmp_path/'run'/f).is_file(), f
    hist = json.loads((tmp_path/'run'/'logs'/'history.json').read_text())
    assert [h['phase'] for h in hist] == ['head', 'full']
    code = ("import cosface, keras\n"
            f"m = keras.models.load_model({str(tmp_path/'run'/'final_model.keras')!r})\n"
            "print(m.get_layer('cosface').n_classes, type(m.optimizer.learning_rate).__name__)")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=ENV, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[0] == '3', r.stdout

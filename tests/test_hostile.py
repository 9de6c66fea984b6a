"""Hostile inputs: every bad file and value a user can hand the project, through train, align and validate.

Each is either skipped and reported (with its reason) or refused with a one-line error before work starts; never a
traceback, never a silently different result. `pytest -s tests/test_hostile.py` prints what each one got."""
import os, json
from pathlib import Path
import pandas as pd
import pytest
from cosface.testing import write_toy_faces, write_hostile_images, write_hostile_inputs
from cosface import cli

TINY = ['--backbone', 'mobilefacenet', '--image_size', '32', '--embedding_dim', '8', '--batch_size', '8', '--epochs', '1',
        '--head_epochs', '0', '--s', '16', '--progress', '0']
REPORT = []

def call(main, argv, capsys):
    "Run a console entry point in-process: (exit status, stdout, stderr)."
    try: main([str(a) for a in argv]); code = 0
    except SystemExit as e: code = e.code
    out = capsys.readouterr()
    assert 'Traceback' not in out.err + out.out, out.err[-2000:]
    return code, out.out, out.err

def refused(main, argv, capsys, what, expect):
    code, out, err = call(main, argv, capsys)
    assert code == 2 and err.count('\n') == 1 and expect in err, (what, code, err)
    REPORT.append((what, err.strip().split(': error: ', 1)[1]))

@pytest.fixture(scope='module')
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp('hostile')
    faces = write_toy_faces(d/'faces', n_ids=3, n_imgs=6, size=32)
    usable = write_hostile_images(faces/'id0')
    write_toy_faces(d/'single', n_ids=1, n_imgs=1); os.rename(d/'single'/'id0', faces/'lonely')    # an identity with one image
    return d, faces, usable, write_hostile_inputs(d/'inputs')

def test_train_on_hostile_folder(hostile, capsys):
    d, faces, usable, _ = hostile
    code, out, err = call(cli.train_main, ['--data', faces, '--output_dir', d/'run', *TINY], capsys)
    assert code == 0, err
    skipped = pd.read_csv(d/'run'/'logs'/'skipped_files.csv')
    reasons = {Path(p).name: r for p, r in skipped.itertuples(index=False)}
    for name, ok in usable.items():
        assert (name in reasons) != ok, (name, reasons.get(name))
    assert skipped[skipped.path.str.contains('/lonely/')].reason.tolist() == ['identity has fewer than 2 usable images']
    reasons['lonely/ (one image)'] = 'identity has fewer than 2 usable images'
    REPORT.extend((f'train: {n}', r) for n, r in sorted(reasons.items()) if n != 'id0_0001.png')
    used = json.loads((d/'run'/'logs'/'data.json').read_text())
    assert used['identities'] == 3 and used['train_images'] + used['val_images'] == 18 + sum(usable.values())

def test_align_on_hostile_folder(hostile, capsys):
    d, faces, usable, _ = hostile
    code, out, err = call(cli.align_main, ['--src', faces, '--dst', d/'aligned', '--detector', 'haar'], capsys)
    assert code == 0, err
    rep = pd.read_csv(d/'aligned'/'align_report.csv').fillna('')
    rows = {Path(p).name: (s, e) for p, s, e in rep[['src', 'status', 'error']].itertuples(index=False)}
    assert rows['bomb_20000x20000.png'] == ('unreadable', 'image too large to decode safely (400000000 pixels > 178,956,970)')
    assert rows['zero.jpg'] == ('unreadable', 'empty file (0 bytes)') and rows['one_pixel.png'][0] == 'too_small'
    for name in ('cmyk.jpg', 'palette.png', 'rgba.png', 'deep16.png', 'huge_10000x10000.png'): assert rows[name][0] == 'no_face'  # read, no face in a test pattern
    REPORT.extend((f'align: {n}', f'{s}' + (f' ({e})' if e else '')) for n, (s, e) in sorted(rows.items()) if not n.startswith('id'))

def test_validate_refuses_bad_inputs(hostile, capsys):
    d, faces, _, ins = hostile
    model = d/'run'/'embedding_model.keras'
    if not model.is_file(): call(cli.train_main, ['--data', faces, '--output_dir', d/'run', *TINY], capsys)
    refused(cli.validate_main, ['--model', ins['not a model'], '--lfw_root', faces, '--pairs', ins['empty pairs file']], capsys,
            'validate: a model file that is not a model', 'not a Keras model file')
    refused(cli.validate_main, ['--model', ins['truncated model'], '--lfw_root', faces], capsys,
            'validate: a truncated .keras file', 'a damaged .keras file')
    refused(cli.validate_main, ['--model', model, '--lfw_root', faces, '--pairs', ins['empty pairs file']], capsys,
            'validate: an empty pairs file', 'no pairs in the file')
    refused(cli.validate_main, ['--model', model, '--lfw_root', faces, '--pairs', ins['pairs naming unknown people']], capsys,
            'validate: a pairs file naming unknown people', 'Nobody_Here')
    for what in ('.bin of random bytes', '.bin pickle of something else', '.bin pickle that runs code'):
        refused(cli.validate_main, ['--model', model, '--bin', ins[what]], capsys, f'validate: {what}', 'not an insightface .bin verification set')
    assert not (d/'inputs'/'PWNED').exists()                        # the malicious pickle ran nothing

def test_inference_commands_refuse_bad_inputs(hostile, capsys):
    d, faces, _, ins = hostile
    model = d/'run'/'embedding_model.keras'
    if not model.is_file(): call(cli.train_main, ['--data', faces, '--output_dir', d/'run', *TINY], capsys)
    refused(cli.export_main, ['--model', ins['not a model'], '--format', 'onnx'], capsys, 'export: a file that is not a model', 'not a Keras model file')
    refused(cli.export_main, ['--model', d/'run'/'config.json', '--format', 'onnx'], capsys, 'export: a file that is not a cosface model', 'export starts from a .keras model')
    (d/'afile').write_text('x')
    refused(cli.export_main, ['--model', model, '--format', 'onnx', '--output', d/'afile'/'m.onnx', '--n_images', 4], capsys,
            'export: an unwritable output path', 'cannot write the export')
    blank = d/'blank.png'
    import cv2, numpy as np; cv2.imwrite(str(blank), np.full((120, 120, 3), 128, np.uint8))
    refused(cli.compare_main, [blank, blank, '--model', model, '--detector', 'haar'], capsys, 'compare: an image without a face', 'no face found by haar')
    refused(cli.compare_main, [blank, d/'missing.jpg', '--model', model], capsys, 'compare: a missing image', 'image not found')
    refused(cli.embed_main, ['--model', model, '--src', faces, '--out', d/'afile'/'e.npz'], capsys, 'embed: an unwritable output path', 'cannot write')
    fake = d/'fake.onnx'; fake.write_text('not a network')
    refused(cli.validate_main, ['--model', fake, '--lfw_root', faces], capsys, 'validate: a file named .onnx that is not one', 'not a loadable ONNX model')

def test_train_refuses_bad_configs_and_datasets(hostile, capsys):
    d, faces, _, ins = hostile
    refused(cli.train_main, ['--config', ins['config with an unknown key']], capsys, 'train: a config with an unknown key', "unknown config keys ['learning_rate']")
    refused(cli.train_main, ['--config', ins['config with a wrong type']], capsys, 'train: a config with a wrong type', "epochs must be a number, got 'ten'")
    refused(cli.train_main, ['--data', write_toy_faces(d/'one', 1, 5), '--output_dir', d/'one_run', *TINY], capsys,
            'train: a dataset with one identity', 'CosFace training needs at least 2')
    refused(cli.train_main, ['--data', ins['not a model'], *TINY], capsys, 'train: a file given as the dataset folder', 'is a file, not a folder')
    for flag, value, msg in [('--batch_size', 0, 'batch_size=0 is out of range'), ('--lr', -0.1, 'lr=-0.1 is out of range'),
                             ('--image_size', 7, 'image_size=7 is out of range'), ('--epochs', 0, 'epochs=0 is out of range')]:
        refused(cli.train_main, ['--data', faces, '--output_dir', d/'never', *TINY, flag, value], capsys, f'train: {flag} {value}', msg)
    assert not (d/'never').exists()                                 # refused before any folder was made
    (d/'mine').mkdir(); (d/'mine'/'config.json').write_text('{"my": "notes"}')
    refused(cli.train_main, ['--data', faces, '--output_dir', d/'mine', *TINY], capsys, "train: a folder of the user's own files", 'not an empty folder or a cosface run folder')
    assert json.loads((d/'mine'/'config.json').read_text()) == {'my': 'notes'}
    (d/'afile').write_text('x')
    refused(cli.train_main, ['--data', faces, '--output_dir', d/'afile'/'run', *TINY], capsys, 'train: an output folder under a file', 'is a file')

def test_zz_print_report():
    width = max(len(w) for w, _ in REPORT)
    print('\n' + '\n'.join(f'{w:<{width}}  {r}' for w, r in REPORT))

"""The repo's invariants: cosface/ is exactly what nbdev_export writes and uses no name it does not define, notebooks are
committed clean, templates are in sync with their sources, and no committed file carries an absolute path of this machine."""
import os, shutil, subprocess, sys, filecmp
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

def _copy(tmp):
    dst = tmp/'repo'
    dst.mkdir()
    for f in ('settings.ini', 'setup.py'): shutil.copy(ROOT/f, dst/f)
    shutil.copytree(ROOT/'nbs', dst/'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    shutil.copytree(ROOT/'cosface', dst/'cosface', ignore=shutil.ignore_patterns('__pycache__'))
    return dst

def test_export_matches_library(tmp_path):
    dst = _copy(tmp_path)
    subprocess.run([BIN/'nbdev_export'], cwd=dst, check=True, capture_output=True)
    cmp = filecmp.dircmp(ROOT/'cosface', dst/'cosface', ignore=['__pycache__'])
    changed = cmp.diff_files + cmp.left_only + cmp.right_only
    assert not changed, f'nbdev_export would change cosface/: {changed}. Edit nbs/, run `make export`, commit both.'

def test_code_defines_every_name_it_uses():
    # a cell that lost its `#| export` still runs in its notebook (the test passes there) but not in cosface/
    from pyflakes.api import checkPath
    from pyflakes.reporter import Reporter
    import io
    out = io.StringIO()
    for p in sorted([*(ROOT/'cosface').glob('*.py'), *(ROOT/'experiments').glob('*.py'), *(ROOT/'benchmarks').glob('*.py')]):
        checkPath(str(p), Reporter(out, out))
    undefined = [l for l in out.getvalue().splitlines() if 'undefined name' in l or 'syntax' in l.lower()]
    assert not undefined, 'cosface/, experiments/ or benchmarks/ use names they never define (a definition cell without `#| export`?):\n' + '\n'.join(undefined)

def test_notebooks_clean(tmp_path):
    dst = _copy(tmp_path)
    subprocess.run([BIN/'nbdev_clean'], cwd=dst, check=True, capture_output=True)
    dirty = [p.relative_to(dst).as_posix() for p in sorted((dst/'nbs').rglob('*.ipynb'))
             if p.read_bytes() != (ROOT/p.relative_to(dst)).read_bytes()]
    assert not dirty, f'notebooks not clean: {dirty}. Run `make export` (nbdev_clean) and commit.'

def test_templates_in_sync():
    from cosface.templates import template_drift
    assert template_drift() == [], 'report templates drifted from Config/validate: run `make templates` and commit'

def test_no_absolute_paths_in_committed_files():
    files = subprocess.run(['git', '-C', str(ROOT), 'ls-files'], capture_output=True, text=True).stdout.split()
    if not files: return                                  # not a git checkout (an sdist): nothing committed to check
    needles = {str(ROOT) + '/', str(Path.home()) + '/'} - {'/'}
    bad = []
    for f in files:
        p = ROOT/f
        if not p.is_file() or p.stat().st_size > 20_000_000: continue
        text = p.read_bytes().decode('utf-8', 'ignore')
        bad += [f'{f}: {n}' for n in needles if n in text]
    assert not bad, f'committed files with absolute paths of this machine: {bad[:10]}'

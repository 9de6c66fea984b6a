"""Execute every library notebook (nbdev's `test_nb`), skipping cells flagged with `tst_flags` unless COSFACE_SLOW=1."""
import os
from pathlib import Path
import pytest
from nbdev.config import get_config
from nbdev import test as nbdev_test

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted((ROOT/'nbs').glob('[0-9][0-9]*_*.ipynb'))   # 17a_monitor too

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, capsys):
    flags = get_config(path=ROOT).get('tst_flags', '').split()
    force = flags if os.environ.get('COSFACE_SLOW') else None
    ok, secs = nbdev_test.test_nb(nb, skip_flags=flags, force_flags=force, basepath=ROOT)
    assert ok, f'{nb.name} failed (traceback above)'

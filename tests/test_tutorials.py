"""The tutorial notebooks (nbs/tutorials/) run end to end under papermill, as `cosface_report` publishes them (slow: COSFACE_SLOW=1)."""
import os, json
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = sorted((ROOT/'nbs'/'tutorials').glob('*.ipynb'))
slow = pytest.mark.skipif(not os.environ.get('COSFACE_SLOW'), reason='slow (minutes): run with COSFACE_SLOW=1 or make test-slow')

@slow
@pytest.mark.parametrize('nb', TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_runs(nb, tmp_path):
    from cosface.reports import run_report
    r = run_report(nb, {}, f'tutorial-{nb.stem}', tmp_path/'experiments', tmp_path/'reports', show_code=True)
    rep = json.loads((tmp_path/'experiments'/f'tutorial-{nb.stem}'/'report.json').read_text())
    assert rep['status'] == 'ok', rep['error']
    assert (tmp_path/'reports'/f'tutorial-{nb.stem}.html').stat().st_size > 10_000

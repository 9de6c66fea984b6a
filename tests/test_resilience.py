"""Runs that survive: SIGKILL at random moments and resume; two deterministic runs agree to the bit (slow: COSFACE_SLOW=1)."""
import os, time, random, signal, subprocess, sys
from pathlib import Path
import numpy as np, pandas as pd
import pytest

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k not in ('TF_CPP_MIN_LOG_LEVEL', 'COSFACE_VERBOSE')}
slow = pytest.mark.skipif(not os.environ.get('COSFACE_SLOW'), reason='slow (minutes): run with COSFACE_SLOW=1 or make test-slow')
TIMING = ('seconds', 'images_per_sec', 'peak_rss_mb')

def train_args(data, out):
    return ['--data', data, '--output_dir', out, '--backbone', 'mobilefacenet', '--image_size', 32, '--embedding_dim', 16,
            '--batch_size', 8, '--epochs', 10, '--head_epochs', 2, '--s', 16, '--m', 0.2, '--lr', 0.05, '--dropout', 0.1,
            '--progress', 0, '--log_every', 1, '--save_every', 3, '--deterministic', '--keep_last', 2]

def train(*args, check=True):
    r = subprocess.run([str(BIN/'cosface_train'), *map(str, args)], capture_output=True, text=True, env=ENV, timeout=900)
    if check: assert r.returncode == 0, f'cosface_train failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r

def weights(path):
    import cosface, keras
    return [keras.ops.convert_to_numpy(v) for v in keras.models.load_model(path).weights]

def history(run): return pd.read_csv(run/'logs'/'history.csv').drop(columns=list(TIMING))

@slow
def test_sigkill_resume_and_determinism(tmp_path):
    from cosface.testing import write_toy_faces
    from cosface.checkpoints import read_state
    root = write_toy_faces(tmp_path/'faces', n_ids=6, n_imgs=16, size=32)
    ref, twin, killed = tmp_path/'ref', tmp_path/'twin', tmp_path/'killed'
    t0 = time.time(); train(*train_args(root, ref)); ref_secs = time.time() - t0
    train(*train_args(root, twin))
    rng, kills, log = random.Random(7), 0, []
    while kills < 5:
        p = subprocess.Popen([str(BIN/'cosface_train'), *map(str, train_args(root, killed)), '--resume'],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        wait = rng.uniform(0.2, 0.4) * ref_secs
        try: p.wait(timeout=wait); log.append(f'finished before the kill at {wait:.1f} s'); break
        except subprocess.TimeoutExpired: p.send_signal(signal.SIGKILL); p.wait()
        kills += 1
        st = read_state(killed)                                    # never a damaged state
        log.append(f'kill {kills} after {wait:.1f} s: {st.describe() if st else "no state yet"}')
        for f in (killed/'checkpoints').glob('epoch_*.keras'): assert f.stat().st_size > 0
    r = train(*train_args(root, killed), '--resume')
    log.append(r.stdout.strip().splitlines()[0])
    print('\n'.join(log))
    assert kills >= 5 or 'finished' in log[-2]
    pd.testing.assert_frame_equal(history(killed), history(ref))
    pd.testing.assert_frame_equal(pd.read_csv(killed/'logs'/'steps.csv'), pd.read_csv(ref/'logs'/'steps.csv'))
    pd.testing.assert_frame_equal(history(twin), history(ref))
    for a, b, c in zip(weights(ref/'final_model.keras'), weights(twin/'final_model.keras'), weights(killed/'final_model.keras')):
        assert np.array_equal(a, b) and np.array_equal(a, c)       # bit-identical: deterministic twin and killed-and-resumed
    assert len(history(killed)) == 10 and read_state(killed).finished
    assert not list(killed.rglob('.*.part*'))                      # a resumed run clears what a kill left half-written
    for f in (killed/'checkpoints').glob('epoch_*.keras'): weights(f)   # every checkpoint left loads
    (tmp_path.parent/'resilience.txt').write_text('\n'.join(log) + '\n')

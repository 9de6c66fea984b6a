"""Peak memory of the training input pipeline on a dataset whose decoded images are larger than the memory allowed.

Writes a folder of random 112 px JPEGs (outside the repo, in ~/.cache/cosface/bench_memory) whose decoded size is
`--decoded_mb`. Then, each in its own process, imports cosface, limits its own address space (`ulimit -v`) to what it
uses after the import plus `--allow_mb`, and reads one full training epoch through `cosface.data.EpochStream`
(decode, shuffle, flip, batch: what `fit` consumes) with:

1. `cache=auto`: the run measures the memory it may still use, sees the decoded images do not fit, and streams;
2. `cache=memory` (the behaviour before `auto`): every decoded image is kept, so memory grows with the dataset
   until the limit stops it.

Optionally (`--train`) one real `cosface_train` epoch on a smaller folder compares `--cache memory` and
`--cache none` (peak RSS as the run logged it in logs/history.csv). Prints a table and writes JSON.

    .venv/bin/python benchmarks/memory.py [--decoded_mb 1500] [--allow_mb 600] [--train]
"""
import argparse, json, subprocess, sys
from pathlib import Path
import numpy as np

BIN = Path(sys.executable).parent

def write_folder(root:Path, decoded_mb:int, side:int=112, per_id:int=100)->int:
    import cv2
    n = int(decoded_mb * 2**20 / (side * side * 3))
    if root.is_dir() and sum(1 for _ in root.rglob('*.jpg')) == n: return n
    rng = np.random.default_rng(0)
    for i in range(n):
        d = root/f'id{i // per_id:04d}'; d.mkdir(parents=True, exist_ok=True)
        base = np.full((side, side, 3), (i // per_id) * 37 % 256, np.uint8)
        img = np.clip(base.astype(int) + rng.integers(-40, 40, (side, side, 3)), 0, 255).astype(np.uint8)
        cv2.imwrite(str(d/f'{i:06d}.jpg'), img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return n

CHILD = r'''
import sys, json, time, resource
from pathlib import Path
import cosface
from cosface.data import EpochStream, choose_cache, peak_rss_mb, decoded_bytes
import tensorflow as tf
root, cache, allow_mb = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
paths = sorted(str(p) for p in root.rglob('*.jpg')); labels = [int(Path(p).parent.name[2:]) for p in paths]
tf.constant(0) + 1                                                    # start the runtime before measuring
vms = int(open('/proc/self/statm').read().split()[0]) * 4096
if allow_mb: resource.setrlimit(resource.RLIMIT_AS, (vms + allow_mb * 2**20, vms + allow_mb * 2**20))
rss0 = peak_rss_mb()
choice, note = choose_cache(cache, len(paths), 112)
if choice == 'memory': note = 'every decoded image kept in memory'
out = dict(cache=cache, chosen=choice, note=note, allow_mb=allow_mb, rss_after_import_mb=rss0)
t0 = time.time(); n = 0
try:
    for (x, y), _ in EpochStream(paths, labels, 112, batch_size=64, cache=choice)(0, 1): n += int(x.shape[0])
    out.update(ok=True)
except Exception as e: out.update(ok=False, error=f'{type(e).__name__}: {str(e).splitlines()[0][:120]}')
out.update(images=n, seconds=round(time.time() - t0, 1), peak_rss_mb=peak_rss_mb(), growth_mb=round(peak_rss_mb() - rss0, 1))
print('RESULT', json.dumps(out))
'''

def pipeline(root, cache, allow_mb):
    r = subprocess.run([sys.executable, '-c', CHILD, str(root), cache, str(allow_mb)], capture_output=True, text=True)
    line = next((l for l in r.stdout.splitlines() if l.startswith('RESULT ')), None)
    if line: return json.loads(line[7:])
    err = f'killed by signal {-r.returncode} at the limit (TensorFlow does not survive a failed allocation)' if r.returncode < 0 else \
          (r.stderr.strip().splitlines() or [f'exit {r.returncode}'])[-1][:160]
    return dict(cache=cache, ok=False, allow_mb=allow_mb, error=err)

def train(root, out, cache):
    args = [BIN/'cosface_train', '--data', root, '--output_dir', out, '--backbone', 'mobilefacenet', '--image_size', 112,
            '--embedding_dim', 64, '--batch_size', 64, '--epochs', 1, '--head_epochs', 0, '--val_split', 0, '--progress', 0,
            '--cache', cache, '--overwrite']
    r = subprocess.run(list(map(str, args)), capture_output=True, text=True)
    if r.returncode: return dict(cache=cache, ok=False, error=(r.stderr.strip().splitlines() or ['?'])[-1][:200])
    import pandas as pd
    h = pd.read_csv(Path(out)/'logs'/'history.csv')
    return dict(cache=cache, ok=True, seconds=float(h.seconds.sum()), peak_rss_mb=float(h.peak_rss_mb.max()))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--decoded_mb', type=int, default=1500, help='decoded size of the pipeline dataset, MB')
    ap.add_argument('--allow_mb', type=int, default=600, help='address space allowed above what the process uses after import, MB')
    ap.add_argument('--train', action='store_true', help='also compare one cosface_train epoch with --cache memory and none')
    ap.add_argument('--train_mb', type=int, default=300, help='decoded size of the training dataset, MB')
    ap.add_argument('--json', default='benchmarks/results/memory.json')
    a = ap.parse_args()
    cache = Path('~/.cache/cosface/bench_memory').expanduser()
    root = cache/f'faces_{a.decoded_mb}mb'
    n = write_folder(root, a.decoded_mb)
    print(f'{n} images of 112 px: {n * 112 * 112 * 3 / 2**20:.0f} MB decoded, {sum(p.stat().st_size for p in root.rglob("*.jpg")) / 2**20:.0f} MB '
          f'of JPEG; each process may use {a.allow_mb} MB beyond what it holds after importing cosface and TensorFlow')
    rows = [pipeline(root, 'auto', a.allow_mb), pipeline(root, 'memory', a.allow_mb), pipeline(root, 'memory', 0)]
    print(f"\n{'cache':<7} {'limit':>9} {'chosen':<7} {'finished':>8} {'images':>7} {'seconds':>8} {'RSS growth (MB)':>16}  note / error")
    for r in rows:
        lim = f"+{r['allow_mb']} MB" if r['allow_mb'] else 'none'
        print(f"{r['cache']:<7} {lim:>9} {str(r.get('chosen', '-')):<7} {str(r['ok']):>8} {r.get('images', 0):>7} {r.get('seconds', 0):>8} "
              f"{r.get('growth_mb', float('nan')):>16}  {r.get('note') if r['ok'] else r.get('error')}")
    res = dict(images=n, decoded_mb=round(n * 112 * 112 * 3 / 2**20), allow_mb=a.allow_mb, pipeline=rows)
    if a.train:
        troot = cache/f'faces_{a.train_mb}mb'; tn = write_folder(troot, a.train_mb)
        res['train'] = [train(troot, cache/f'run_{c}', c) for c in ('memory', 'none')]
        print(f'\none cosface_train epoch (MobileFaceNet, 112 px, batch 64) on {tn} images ({a.train_mb} MB decoded):')
        for r in res['train']: print(f"  --cache {r['cache']:<7} peak RSS {r.get('peak_rss_mb', float('nan')):7.0f} MB, {r.get('seconds', 0):.0f} s" if r['ok'] else f"  --cache {r['cache']}: {r['error']}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(res, indent=1))
    print(f'\nwritten {a.json}')

if __name__ == '__main__': main()

"""Peak memory of a training run on a dataset whose decoded images are larger than the memory it is allowed.

Writes a folder of random 112 px JPEGs (outside the repo, in ~/.cache/cosface/bench_memory) whose decoded size is
`--decoded_mb`, then trains one epoch of a small MobileFaceNet on it three times, each in its own process:

1. `--cache memory`: every decoded image kept (the old default): peak memory grows with the dataset;
2. `--cache none`: streaming from the files;
3. `--cache auto` under an address-space limit (`ulimit -v`) that leaves less room than the decoded images need:
   the run measures what it may use, chooses streaming, and finishes inside the limit.

Peak RSS is what each run logged itself (`peak_rss_mb` in logs/history.csv). Prints a table and writes JSON.

    .venv/bin/python benchmarks/memory.py [--decoded_mb 600] [--json benchmarks/results/memory.json]
"""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path
import numpy as np

BIN = Path(sys.executable).parent

def write_folder(root:Path, decoded_mb:int, side:int=112, per_id:int=100):
    import cv2
    n = int(decoded_mb * 2**20 / (side * side * 3))
    if root.is_dir() and len(list(root.rglob('*.jpg'))) == n: return n
    rng = np.random.default_rng(0)
    for i in range(n):
        d = root/f'id{i // per_id:04d}'; d.mkdir(parents=True, exist_ok=True)
        base = np.full((side, side, 3), (i // per_id) * 37 % 256, np.uint8)
        img = np.clip(base.astype(int) + rng.integers(-40, 40, (side, side, 3)), 0, 255).astype(np.uint8)
        cv2.imwrite(str(d/f'{i:06d}.jpg'), img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return n

def train(root, out, cache, limit_mb=None):
    def lim():
        if limit_mb: resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))
    args = [BIN/'cosface_train', '--data', root, '--output_dir', out, '--backbone', 'mobilefacenet', '--image_size', 112,
            '--embedding_dim', 64, '--batch_size', 64, '--epochs', 1, '--head_epochs', 0, '--val_split', 0, '--progress', 0,
            '--cache', cache, '--overwrite']
    t0 = time.time()
    r = subprocess.run(list(map(str, args)), capture_output=True, text=True, preexec_fn=lim)
    secs = time.time() - t0
    line = next((l for l in r.stdout.splitlines() if l.startswith('input pipeline:')), '')
    if r.returncode: return dict(cache=cache, limit_mb=limit_mb, ok=False, seconds=round(secs, 1), error=(r.stderr.strip().splitlines() or ['?'])[-1][:200])
    import pandas as pd
    h = pd.read_csv(Path(out)/'logs'/'history.csv')
    return dict(cache=cache, limit_mb=limit_mb, ok=True, seconds=round(secs, 1), peak_rss_mb=float(h.peak_rss_mb.max()), pipeline=line[16:])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--decoded_mb', type=int, default=600, help='decoded size of the dataset, MB')
    ap.add_argument('--headroom_mb', type=int, default=300, help='address space allowed above what a streaming run reserves')
    ap.add_argument('--json', default='benchmarks/results/memory.json')
    a = ap.parse_args()
    cache = Path('~/.cache/cosface/bench_memory').expanduser()
    root = cache/f'faces_{a.decoded_mb}mb'
    n = write_folder(root, a.decoded_mb)
    print(f'{n} images of 112 px: {n * 112 * 112 * 3 / 2**20:.0f} MB decoded, {sum(p.stat().st_size for p in root.rglob("*.jpg")) / 2**20:.0f} MB of JPEG')
    rows = [train(root, cache/'run_memory', 'memory'), train(root, cache/'run_none', 'none')]
    # the address space TensorFlow reserves once imported; training needs more (threads, pools): the smallest of a few limits it fits in
    probe = subprocess.run(['bash', '-c', f'{BIN}/python -c "import cosface, keras, tensorflow as tf; print(open(\'/proc/self/status\').read())"'],
                           capture_output=True, text=True).stdout
    vm = next(int(l.split()[1]) // 1024 for l in probe.splitlines() if l.startswith('VmPeak'))
    limit = None
    for extra in (1500, 2500, 4000, 6000):                       # TF reserves address space as it starts threads: find a limit streaming fits in
        limit = vm + extra
        r = train(root, cache/'run_auto_limited', 'auto', limit)
        if r['ok']: break
    rows.append(r)
    rows.append(train(root, cache/'run_memory_limited', 'memory', limit))
    print(f"\n{'cache':<8} {'ulimit -v (MB)':>15} {'finished':>9} {'seconds':>8} {'peak RSS (MB)':>14}  pipeline / error")
    for r in rows:
        print(f"{r['cache']:<8} {str(r['limit_mb'] or '-'):>15} {str(r['ok']):>9} {r['seconds']:>8} {r.get('peak_rss_mb', float('nan')):>14.0f}  {r.get('pipeline') or r.get('error')}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(dict(images=n, decoded_mb=round(n * 112 * 112 * 3 / 2**20), runs=rows), indent=1))
    print(f'\nwritten {a.json}')

if __name__ == '__main__': main()

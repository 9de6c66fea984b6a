"""IResNet-50 training step side by side with insightface's arcface_torch (PyTorch), each in its own subprocess, ABBA.

The same step on both sides: IResNet-50, `--batch` images of 112 px in memory, 512-d embedding, a CosFace head of
1000 classes (s=64, m=0.35), softmax cross-entropy, SGD (lr 0.1, momentum 0.9, weight decay 5e-4); the median of
`--steps` steps after `--warmup`. The project runs its own step (`benchmarks/train_step.py`'s `step_times`: the
compiled Keras model under its `--precision` policy); the peer runs arcface_torch's `iresnet50` and its
`CombinedMarginLoss` (CosFace: m1=1, m2=0, m3=m) on the normalised linear layer of its `PartialFC_V2` (sample rate 1,
one process), with `torch.autocast('cpu', dtype=torch.bfloat16)` for bf16. Both get the same intra-op thread count.
Runs go project, peer, peer, project (ABBA) per precision, `--repeats` times, so that drift in the load of a shared
machine falls on both sides alike. Prints images/s per side and the ratio project/peer; writes JSON.

The peer lives outside this repo: `COSFACE_PEER_DIR` (default $COSFACE_CACHE/peer/arcface_torch) holds arcface_torch's
`backbones/iresnet.py` and `losses.py`, and `COSFACE_PEER_PYTHON` (default $COSFACE_CACHE/peer-venv/bin/python) is a Python
with torch. Without them the peer column is skipped with a line saying how to set it up.

    .venv/bin/python benchmarks/peer_step.py [--precisions fp32 bf16] [--batch 64] [--steps 8] [--warmup 2] [--repeats 1]
"""
import argparse, json, os, subprocess, sys, time, statistics, platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get('COSFACE_CACHE') or Path.home()/'.cache'/'cosface').expanduser()     # as cosface.paths.cache_dir
PEER_DIR = Path(os.environ.get('COSFACE_PEER_DIR', CACHE/'peer'/'arcface_torch'))
PEER_PYTHON = os.environ.get('COSFACE_PEER_PYTHON', str(CACHE/'peer-venv'/'bin'/'python'))
SETUP = (f"peer not set up: python3 -m venv {PEER_PYTHON.rsplit('/bin/', 1)[0]} && {PEER_PYTHON} -m pip install torch; "
         f"copy insightface's recognition/arcface_torch/{{backbones/iresnet.py,losses.py}} into {PEER_DIR} "
         "(or point COSFACE_PEER_DIR / COSFACE_PEER_PYTHON at them); skipping the peer column")
S, M, CLASSES, SIZE, LR, MOMENTUM, WD = 64.0, 0.35, 1000, 112, 0.1, 0.9, 5e-4

def project_worker(a):
    "Time the project's step in this process (TensorFlow); returns the result dict."
    import cosface, tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    if a.inter_op: tf.config.threading.set_inter_op_parallelism_threads(a.inter_op)
    sys.path.insert(0, str(HERE))
    from train_step import step_times
    ts, _ = step_times('iresnet50', a.precision, a.batch, a.steps, a.warmup, SIZE, CLASSES)
    threads = dict(intra_op=tf.config.threading.get_intra_op_parallelism_threads(),
                   inter_op=tf.config.threading.get_inter_op_parallelism_threads() or 'TF default (0)')
    return dict(framework=f'tensorflow {tf.__version__}', threads=threads, step_s=ts)

def peer_worker(a):
    "Time arcface_torch's step in this process (PyTorch); returns the result dict."
    import torch, torch.nn.functional as F, warnings
    warnings.filterwarnings('ignore', category=FutureWarning)          # iresnet's torch.cuda.amp.autocast(False)
    torch.set_num_threads(a.threads)
    if a.inter_op: torch.set_num_interop_threads(a.inter_op)
    sys.path.insert(0, str(PEER_DIR))
    from backbones.iresnet import iresnet50
    from losses import CombinedMarginLoss
    torch.manual_seed(0)
    model = iresnet50(dropout=0.0, num_features=512).train()
    weight = torch.nn.Parameter(torch.normal(0, 0.01, (CLASSES, 512)))      # PartialFC_V2's class centres
    margin = CombinedMarginLoss(S, 1.0, 0.0, M)                               # m3>0: CosFace
    opt = torch.optim.SGD([{'params': model.parameters()}, {'params': [weight]}], lr=LR, momentum=MOMENTUM, weight_decay=WD)
    x = torch.rand(a.batch, 3, SIZE, SIZE) * 2 - 1; y = torch.randint(0, CLASSES, (a.batch,))
    bf16 = a.precision == 'bf16'
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            logits = F.linear(F.normalize(model(x)), F.normalize(weight))
        logits = margin(logits.float().clamp(-1, 1), y.view(-1, 1).clone())
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        return loss.item()
    ts = []
    for _ in range(a.warmup + a.steps):
        t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
    threads = dict(intra_op=torch.get_num_threads(), inter_op=torch.get_num_interop_threads())
    return dict(framework=f'torch {torch.__version__}', threads=threads, step_s=ts[a.warmup:])

def peer_ready():
    "Why the peer cannot run ('' when it can)."
    if not Path(PEER_PYTHON).is_file(): return f'{PEER_PYTHON} not found'
    missing = [f for f in ('backbones/iresnet.py', 'losses.py') if not (PEER_DIR/f).is_file()]
    if missing: return f'{PEER_DIR} lacks {", ".join(missing)}'
    r = subprocess.run([PEER_PYTHON, '-c', 'import torch'], capture_output=True, text=True)
    return '' if r.returncode == 0 else f'{PEER_PYTHON} cannot import torch: {r.stderr.strip().splitlines()[-1:]}'

def run_side(side, a, precision):
    "One subprocess timing one side ('project', 'peer', or 'baseline': the project's code at `--compare`); its result dict."
    py = sys.executable if side != 'peer' else PEER_PYTHON
    cmd = [py, __file__, '--worker', 'peer' if side == 'peer' else 'project', '--precision', precision] + [f'--{k}={getattr(a, k)}' for k in ('batch', 'steps', 'warmup', 'threads', 'inter_op')]
    env = {**os.environ, 'OMP_NUM_THREADS': str(a.threads)}
    if side == 'baseline': env['PYTHONPATH'] = a.compare
    for kv in (a.baseline_env if side == 'baseline' else []): env[kv.split('=', 1)[0]] = kv.split('=', 1)[1]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    line = next((l for l in reversed(r.stdout.splitlines()) if l.startswith('RESULT ')), None)
    if r.returncode or line is None: raise RuntimeError(f'{side} {precision} failed (exit {r.returncode}):\n{r.stderr[-3000:]}')
    return json.loads(line[len('RESULT '):])

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--precisions', nargs='+', default=None, choices=['fp32', 'bf16'], help='default: fp32, and bf16 on CPUs with bfloat16 instructions')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=8)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=1, help='ABBA cycles per precision')
    ap.add_argument('--threads', type=int, default=os.cpu_count(), help='intra-op threads, the same on both sides')
    ap.add_argument('--inter_op', type=int, default=0, help='inter-op threads on both sides (0: each framework\'s default)')
    ap.add_argument('--compare', help="another checkout of this project: adds a 'baseline' side running its code (before/after a change)")
    ap.add_argument('--baseline_env', nargs='*', default=[], help='KEY=VALUE environment settings for the baseline side only')
    ap.add_argument('--no_peer', action='store_true', help='skip the peer (e.g. when comparing with --compare)')
    ap.add_argument('--json', default='benchmarks/results/peer_step.json')
    ap.add_argument('--worker', choices=['project', 'peer'], help=argparse.SUPPRESS)
    ap.add_argument('--precision', default='fp32', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.precisions is None and not a.worker:
        from cosface.train import cpu_has_bf16
        a.precisions = ['fp32', 'bf16'] if cpu_has_bf16() else ['fp32']
        if not cpu_has_bf16(): print('bf16 skipped: no bfloat16 instructions on this CPU (a bf16 step is about 15x slower in both frameworks '
                                     'here); pass --precisions fp32 bf16 to measure it anyway')
    if a.worker:
        res = (project_worker if a.worker == 'project' else peer_worker)(a)
        print('RESULT ' + json.dumps(res), flush=True); return
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine())
    why = 'skipped by --no_peer' if a.no_peer else peer_ready()
    if why and not a.no_peer: print(f'{SETUP} ({why})')
    print(f'{cpu}, {os.cpu_count()} cores. IResNet-50, batch {a.batch}, {SIZE} px, CosFace {CLASSES} classes (s={S:g}, m={M}), '
          f'SGD momentum {MOMENTUM} wd {WD}; median of {a.steps} steps after {a.warmup}; ABBA x{a.repeats}.')
    print('Figures from a shared, loaded CPU are noisy: compare the ratio of sides run back to back, not absolute images/s '
          'across runs; the per-run medians below show the spread.', flush=True)
    sides = ['project'] + (['baseline'] if a.compare else []) + ([] if why else ['peer'])
    if a.compare: print(f"baseline: the project's code at {a.compare}{' with ' + ' '.join(a.baseline_env) if a.baseline_env else ''}")
    rows = []
    for prec in a.precisions:
        runs = {s: [] for s in sides}
        for _ in range(a.repeats):
            for side in (sides + sides[::-1]):
                r = run_side(side, a, prec); runs[side].append(r)
                print(f'  {prec} {side:<7} {r["framework"]:<22} threads {r["threads"]}: median {statistics.median(r["step_s"]):.2f} s/step '
                      f'({a.batch / statistics.median(r["step_s"]):.2f} images/s)', flush=True)
        row = dict(precision=prec, batch=a.batch, steps=a.steps, warmup=a.warmup, repeats=a.repeats)
        med = {s: statistics.median([t for r in runs[s] for t in r['step_s']]) for s in sides}   # pooled over the side's runs
        for s in sides:
            row[s] = dict(framework=runs[s][0]['framework'], threads=runs[s][0]['threads'], step_s=round(med[s], 3),
                          images_per_s=float(f'{a.batch / med[s]:.3g}'), run_medians_s=[round(statistics.median(r['step_s']), 3) for r in runs[s]])
        for s in ('peer', 'baseline'):
            if s in row: row[f'ratio_project_over_{s}'] = round(med[s] / med['project'], 3)
        rows.append(row)
    cols = [('project', 'project images/s', lambda r: r['project']['images_per_s'])]
    if a.compare: cols += [('baseline', 'baseline images/s', lambda r: r['baseline']['images_per_s']), ('baseline', 'project/baseline', lambda r: r['ratio_project_over_baseline'])]
    if not a.no_peer: cols += [('peer', 'peer images/s', lambda r: r['peer']['images_per_s'] if 'peer' in r else '(not set up)'),
                               ('peer', 'project/peer', lambda r: r['ratio_project_over_peer'] if 'peer' in r else '-')]
    print('\n' + f"{'precision':<10}" + ''.join(f'{h:>19}' for _, h, _ in cols))
    for r in rows: print(f"{r['precision']:<10}" + ''.join(f'{str(f(r)):>19}' for _, _, f in cols))
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(dict(cpu=cpu, cores=os.cpu_count(), peer=None if why else 'insightface recognition/arcface_torch',
                                            command=' '.join(['benchmarks/peer_step.py'] + ['<other checkout>' if x == a.compare else x for x in sys.argv[1:]]), rows=rows), indent=1))
    print(f'written {a.json}')

if __name__ == '__main__': main()

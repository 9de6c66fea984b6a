"""Where the time of the project's training step goes: a TensorFlow profiler trace summarised by op type and by layer kind.

Builds the compiled CosFace training step of `--backbone` (the same one `benchmarks/train_step.py` times), runs
`--warmup` steps, traces `--steps` steps with `tf.profiler.experimental`, and sums the host-side TensorFlow op
events of the trace (op name:op type) by op type and by the kind of layer the op belongs to (conv, BatchNorm, PReLU,
padding, the CosFace head, the optimizer update...). Shares are of the summed op time (ops can overlap on the
threads). Writes JSON.

    .venv/bin/python benchmarks/profile_step.py [--backbone iresnet50] [--precision fp32] [--batch 16] [--steps 2]
"""
import argparse, json, os, re, tempfile, time
from collections import defaultdict
from pathlib import Path
import cosface
import tensorflow as tf
from cosface.config import Config
from cosface.train import build_models, compile_phase, precision as train_precision
from cosface.optim import phase_schedule

KINDS = [('optimizer', r'(^|/)(sgd|SGD|optimizer|Assign|ResourceApply)'), ('cosface head', r'(^|/)cosface(_\d+)?/|cosface_loss|CosFaceLoss|categorical_crossentropy|accuracy'),
         ('prelu', r'_prelu'), ('batchnorm', r'_bn|head_bn|embedding/|BatchNorm'), ('padding', r'_pad'), ('add', r'_add'),
         ('conv', r'_conv|_dw|head_dense')]

def kind_of(name, op):
    "The layer kind an op belongs to, from its name."
    for k, pat in KINDS:
        if re.search(pat, name): return k
    return 'other'

def trace_ops(logdir):
    "`[(op name, op type, microseconds)]` from the host plane of the trace in `logdir`."
    from tensorflow.tsl.profiler.protobuf import xplane_pb2
    out = []
    for f in Path(logdir).rglob('*.xplane.pb'):
        xs = xplane_pb2.XSpace(); xs.ParseFromString(f.read_bytes())
        for plane in xs.planes:
            if not plane.name.startswith('/host:CPU'): continue
            md = plane.event_metadata
            for line in plane.lines:
                for e in line.events:
                    n = md[e.metadata_id].name
                    if ':' not in n or n.startswith('$') or '::' in n: continue
                    name, op = n.rsplit(':', 1)
                    if not op or not op[0].isupper() or ' ' in op: continue
                    out.append((name, op, e.duration_ps / 1e6))
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--backbone', default='iresnet50')
    ap.add_argument('--precision', default='fp32', choices=['fp32', 'bf16'])
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--steps', type=int, default=2)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--json', default='benchmarks/results/profile_step.json')
    a = ap.parse_args()
    cfg = Config(backbone=a.backbone, image_size=112, embedding_dim=512, batch_size=a.batch, precision=a.precision)
    with train_precision(cfg):
        model, _ = build_models(cfg, 1000)
        compile_phase(model, cfg, phase_schedule(cfg.lr, 1, 100))
        x = tf.random.uniform((a.batch, 112, 112, 3), -1, 1); y = tf.random.uniform((a.batch,), 0, 1000, tf.int32)
        for _ in range(a.warmup): model.train_on_batch([x, y], y)
        logdir = tempfile.mkdtemp(prefix='cosface_profile_')
        tf.profiler.experimental.start(logdir)
        t = time.perf_counter()
        for _ in range(a.steps): model.train_on_batch([x, y], y)
        wall = (time.perf_counter() - t) / a.steps
        tf.profiler.experimental.stop()
    ops = trace_ops(logdir)
    total = sum(us for *_, us in ops)
    by_type, by_kind, by_kind_type = defaultdict(float), defaultdict(float), defaultdict(float)
    for name, op, us in ops:
        k = kind_of(name, op); by_type[op] += us; by_kind[k] += us; by_kind_type[(k, op)] += us
    print(f'{a.backbone} {a.precision} batch {a.batch}: {wall:.2f} s/step wall while tracing; summed op time {total / 1e6 / a.steps:.2f} s/step '
          f'over {len(ops)} op events')
    print('\nby layer kind (gradients included):')
    for k, us in sorted(by_kind.items(), key=lambda kv: -kv[1]): print(f'  {k:<14} {100 * us / total:5.1f}%  {us / 1e6 / a.steps:7.3f} s/step')
    print(f'\nby op type (top {a.top}):')
    for op, us in sorted(by_type.items(), key=lambda kv: -kv[1])[:a.top]: print(f'  {op:<32} {100 * us / total:5.1f}%  {us / 1e6 / a.steps:7.3f} s/step')
    print(f'\nby layer kind and op type (top {a.top}):')
    for (k, op), us in sorted(by_kind_type.items(), key=lambda kv: -kv[1])[:a.top]: print(f'  {k:<14} {op:<30} {100 * us / total:5.1f}%')
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(dict(backbone=a.backbone, precision=a.precision, batch=a.batch, steps=a.steps, wall_s_per_step=round(wall, 3),
        op_s_per_step=round(total / 1e6 / a.steps, 3),
        by_kind={k: round(us / total, 4) for k, us in sorted(by_kind.items(), key=lambda kv: -kv[1])},
        by_type={op: round(us / total, 4) for op, us in sorted(by_type.items(), key=lambda kv: -kv[1])}), indent=1))
    print(f'written {a.json}')

if __name__ == '__main__': main()

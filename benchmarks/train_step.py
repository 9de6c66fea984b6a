"""Training-step throughput of every backbone in fp32 and bf16, against a matmul peak measured in the same run.

For each precision: a 4096^3 matmul (median of 5 after warm-up) gives the peak GFLOP/s this CPU reaches; then, for
each backbone, the compiled CosFace training step (`--image_size` px, `--batch` images, `--classes` classes, SGD) runs on in-memory
tensors: the median of `--steps` steps after `--warmup`. Achieved GFLOP/s counts 3x the forward FLOPs per image
(forward + backward), from the forward FLOPs TensorFlow's profiler reports for the embedding model.
Prints a table and writes JSON.

    .venv/bin/python benchmarks/train_step.py [--backbones mobilefacenet resnet18 resnet50 iresnet50] [--batch 64] [--steps 8]
    .venv/bin/python benchmarks/train_step.py --backbones mobilefacenet --image_size 48 --classes 4232   # the recipe's step
    .venv/bin/python benchmarks/train_step.py --backbones mobilefacenet resnet18 --widths 1 0.5 --image_size 48 --classes 4233
"""
import argparse, json, os, time, platform
from pathlib import Path
import numpy as np
import cosface                                    # quiet TensorFlow start-up
import keras, tensorflow as tf
from cosface.config import Config
from cosface.train import build_models, compile_phase, resolve_precision, cpu_has_bf16, precision as train_precision, DEPTHWISE_BACKBONES
from cosface.optim import phase_schedule

def matmul_gflops(dtype, n=4096, reps=5):
    a = tf.random.normal((n, n), dtype=tf.float32); a = tf.cast(a, dtype)
    f = tf.function(lambda x: tf.matmul(x, x))
    f(a).numpy()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(a).numpy(); ts.append(time.perf_counter() - t)
    return 2 * n**3 / np.median(ts) / 1e9

def forward_flops(emb, size):
    from tensorflow.python.profiler.model_analyzer import profile
    from tensorflow.python.profiler.option_builder import ProfileOptionBuilder
    fn = tf.function(lambda x: emb(x, training=False)).get_concrete_function(tf.TensorSpec((1, size, size, 3), tf.float32))
    opts = ProfileOptionBuilder(ProfileOptionBuilder.float_operation()).with_empty_output().build()
    return profile(fn.graph, options=opts).total_float_ops

def step_times(backbone, precision, batch, steps, warmup, size=112, classes=1000, width=1.0):
    "Seconds of each of `steps` compiled CosFace training steps after `warmup`, and the embedding model."
    cfg = Config(backbone=backbone, width=width, image_size=size, embedding_dim=512, batch_size=batch, precision=precision)
    with train_precision(cfg):
        model, emb = build_models(cfg, classes)
        compile_phase(model, cfg, phase_schedule(cfg.lr, 1, 100))
        x = tf.random.uniform((batch, size, size, 3), -1, 1); y = tf.random.uniform((batch,), 0, classes, tf.int32)
        ts = []
        for i in range(warmup + steps):
            t = time.perf_counter(); model.train_on_batch([x, y], y); ts.append(time.perf_counter() - t)
    return ts[warmup:], emb

def step_rate(backbone, precision, batch, steps, warmup, size=112, classes=1000, width=1.0):
    "Median step seconds and the forward FLOPs per image."
    ts, emb = step_times(backbone, precision, batch, steps, warmup, size, classes, width)
    return float(np.median(ts)), forward_flops(emb, size)

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--backbones', nargs='+', default=['mobilefacenet', 'resnet18', 'resnet50', 'iresnet50'])
    ap.add_argument('--widths', nargs='+', type=float, default=None, help='channel multiplier of each backbone (default: 1 for all)')
    ap.add_argument('--precisions', nargs='+', default=None, help='default: fp32, and bf16 on CPUs with bfloat16 instructions')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=8)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--image_size', type=int, default=112)
    ap.add_argument('--classes', type=int, default=1000, help='CosFace classes')
    ap.add_argument('--json', default='benchmarks/results/train_step.json')
    a = ap.parse_args()
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine())
    print(f'{cpu}, {os.cpu_count()} cores; bfloat16 matrix instructions: {cpu_has_bf16()}; --precision auto here: '
          + ', '.join(f'{b} {resolve_precision("auto", b in DEPTHWISE_BACKBONES)[0]}' for b in a.backbones))
    widths = a.widths or [1.0] * len(a.backbones)
    if len(widths) != len(a.backbones): ap.error(f'--widths gives {len(widths)} multipliers for {len(a.backbones)} backbones')
    rows = []
    if a.precisions is None:
        a.precisions = ['fp32', 'bf16'] if cpu_has_bf16() else ['fp32']
        if not cpu_has_bf16(): print('bf16 skipped: this CPU has no bfloat16 instructions, where a bf16 step is several times slower '
                                     '(pass --precisions fp32 bf16 to measure it anyway)')
    for prec in a.precisions:
        peak = matmul_gflops(tf.float32 if prec == 'fp32' else tf.bfloat16)
        for b, w in zip(a.backbones, widths):
            secs, flops = step_rate(b, prec, a.batch, a.steps, a.warmup, a.image_size, a.classes, w)
            achieved = 3 * flops * a.batch / secs / 1e9
            rows.append(dict(backbone=b, width=w, precision=prec, image_size=a.image_size, classes=a.classes, batch=a.batch, step_s=round(secs, 3), images_per_s=round(a.batch / secs, 1),
                             forward_gflop_per_image=round(flops / 1e9, 2), achieved_gflops=round(achieved, 1),
                             matmul_peak_gflops=round(peak, 1), fraction_of_peak=round(achieved / peak, 3)))
            r = rows[-1]
            print(f"{b + ('' if w == 1 else f' x{w:g}'):<19} {prec:<5} {r['images_per_s']:>7} images/s  {r['step_s']:>7} s/step  {r['forward_gflop_per_image']:>6} GFLOP fwd/image  "
                  f"{r['achieved_gflops']:>7} GFLOP/s = {100 * r['fraction_of_peak']:.0f}% of the {r['matmul_peak_gflops']} GFLOP/s matmul peak", flush=True)
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(dict(cpu=cpu, cores=os.cpu_count(), bf16_cpu=cpu_has_bf16(), rows=rows), indent=1))
    print(f'written {a.json}')

if __name__ == '__main__': main()

"""Latency and throughput of a trained embedding model in every export format, on this CPU.

Exports the model (`cosface.export.export_model`, each with its parity check) into a scratch folder, then times, per
format: one image (median of `--repeats` calls after warm-up) and batches of 64 (images/s), the same float32 inputs
for all. Prints a table and writes JSON.

    .venv/bin/python benchmarks/inference.py --model experiments/<run>/embedding_model.keras [--json benchmarks/results/inference.json]
"""
import argparse, json, os, time, platform
from pathlib import Path
import numpy as np
import cosface                                # quiet TensorFlow start-up
from cosface.export import export_model
from cosface.evaluate import load_embedding_model, model_image_size

def timed(model, x, repeats):
    model.predict_on_batch(x); model.predict_on_batch(x)          # warm-up (and TFLite tensor allocation)
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); model.predict_on_batch(x); ts.append(time.perf_counter() - t)
    return float(np.median(ts))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--model', required=True, help='a .keras model written by cosface_train')
    ap.add_argument('--out', default=str(Path('~/.cache/cosface/bench_inference').expanduser()), help='scratch folder for the exports')
    ap.add_argument('--repeats', type=int, default=30)
    ap.add_argument('--json', default='benchmarks/results/inference.json')
    a = ap.parse_args()
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    keras_model = load_embedding_model(a.model)
    size = model_image_size(keras_model)
    rows, specs = [], [('keras', 'fp32', a.model), ('savedmodel', 'fp32', out/'emb_savedmodel'), ('onnx', 'fp32', out/'emb.onnx'),
                       ('tflite', 'fp32', out/'emb.tflite'), ('tflite', 'fp16', out/'emb_fp16.tflite'), ('tflite', 'int8', out/'emb_int8.tflite')]
    rng = np.random.default_rng(0)
    x1, x64 = rng.uniform(-1, 1, (1, size, size, 3)).astype('float32'), rng.uniform(-1, 1, (64, size, size, 3)).astype('float32')
    for fmt, prec, path in specs:
        parity = None
        if fmt != 'keras': parity = export_model(a.model, fmt, path, precision=prec, n_images=32).min_cosine
        m = keras_model if fmt == 'keras' else load_embedding_model(path)
        one, batch = timed(m, x1, a.repeats), timed(m, x64, max(a.repeats // 5, 3))
        mb = sum(f.stat().st_size for f in ([Path(path)] if Path(path).is_file() else Path(path).rglob('*')) if f.is_file()) / 2**20
        rows.append(dict(format=fmt, precision=prec, size_mb=round(mb, 1), latency_ms=round(1000 * one, 2), images_per_s=round(64 / batch, 1),
                         parity_min_cosine=parity))
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine())
    print(f'\n{size} px model, {os.cpu_count()} CPU cores ({cpu}); latency: one image, median of {a.repeats}; throughput: batches of 64')
    print(f"{'format':<11} {'precision':<9} {'MB':>6} {'latency ms':>11} {'images/s':>9} {'parity (worst cosine)':>22}")
    for r in rows:
        p = '-' if r['parity_min_cosine'] is None else f"{r['parity_min_cosine']:.6f}"
        print(f"{r['format']:<11} {r['precision']:<9} {r['size_mb']:>6} {r['latency_ms']:>11} {r['images_per_s']:>9} {p:>22}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(dict(image_size=size, cpu_cores=os.cpu_count(), rows=rows), indent=1))
    print(f'written {a.json}')

if __name__ == '__main__': main()

"""Full LFW View 2 evaluation wall time, embedding extraction throughput and the 10-fold computation alone.

View 2 (`pairs.txt`: 6,000 pairs over 7,701 images) on aligned 112 px LFW crops, with flip test-time augmentation,
through `cosface.evaluate.validate` exactly as `cosface_validate` runs it (figures and files included). The model is
`--model`, or a MobileFaceNet at 112 px with random weights (the time does not depend on the weights; the accuracy of
such a model is meaningless and is not printed). Target: the whole evaluation in at most 2 minutes.

    .venv/bin/python benchmarks/evaluation.py [--lfw_aligned DIR] [--pairs pairs.txt] [--model M.keras] [--batch 128]
"""
import argparse, tempfile, time
from pathlib import Path

import cosface                                    # quiet TensorFlow start-up
from cosface.paths import cache_dir, data_root
from cosface.pairs import read_pairs, lfw_images_root
from cosface.evaluate import validate, extract_embeddings, load_embedding_model
from cosface.verify import verify_scores
from cosface.export import export_model
from _common import machine, write_json

def res_scores(eval_dir:Path):
    "The scores `validate` wrote (the 10-fold computation is timed again on them)."
    import pandas as pd
    return pd.read_csv(eval_dir/'scores.csv')

def small_model(path:Path):
    "A MobileFaceNet embedding model at 112 px (random weights), saved to `path`."
    from cosface.backbones import build_embedding_model
    build_embedding_model('mobilefacenet', 112, 512).save(path)
    return path

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--lfw_aligned', default=str(cache_dir()/'lfw_aligned'), help='aligned 112 px LFW (cosface_align output)')
    ap.add_argument('--pairs', default=str((data_root() or Path("../shared/data"))/"lfw"/'pairs.txt'), help='View 2 pairs file')
    ap.add_argument('--model', help='embedding model (default: a random-weight MobileFaceNet at 112 px)')
    ap.add_argument('--batch', type=int, default=128, help='images per forward pass')
    ap.add_argument('--extract', type=int, default=2048, help='images in the extraction-throughput measurement')
    ap.add_argument('--json', default='benchmarks/results/evaluation.json')
    a = ap.parse_args()
    if not Path(a.lfw_aligned).is_dir() or not Path(a.pairs).is_file():
        print(f'skipped: needs aligned LFW ({a.lfw_aligned}: cosface_align ../shared/data/lfw/images_deepfunneled DIR --select center) '
              f'and {a.pairs}'); return
    tmp = Path(tempfile.mkdtemp(prefix='cosface_bench_eval_'))
    model = a.model or small_model(tmp/'mobilefacenet112.keras')
    m = machine(); print(m['text'])
    df = read_pairs(a.pairs, lfw_images_root(a.lfw_aligned), drop_missing=True)   # images without a detected face are not in an aligned copy
    uniq = list(dict.fromkeys(list(df.path1) + list(df.path2)))
    print(f"{len(df):,} pairs over {len(uniq):,} images ({df.attrs.get('n_dropped', 0)} pairs dropped: images without a detected face); batch {a.batch}; flip on")

    t = time.perf_counter(); res = validate(model, lfw_root=a.lfw_aligned, pairs=a.pairs, save_dir=tmp/'eval', batch_size=a.batch, drop_missing=True,
                                            progress=False, precision='fp32')[0]
    full = time.perf_counter() - t
    emb_model = load_embedding_model(model)
    extract_embeddings(emb_model, uniq[:a.batch], batch_size=a.batch, progress=False)          # warm-up (tracing)
    some = uniq[:a.extract]
    t = time.perf_counter(); extract_embeddings(emb_model, some, batch_size=a.batch, progress=False); extract = time.perf_counter() - t
    sc = res_scores(tmp/'eval')
    t = time.perf_counter(); verify_scores(sc.score.to_numpy(), sc.label.to_numpy().astype(bool), folds=sc.fold.to_numpy()); folds = time.perf_counter() - t
    t = time.perf_counter(); export_model(model, 'tflite', tmp/'emb.tflite'); export = time.perf_counter() - t
    t = time.perf_counter(); res_t = validate(tmp/'emb.tflite', lfw_root=a.lfw_aligned, pairs=a.pairs, save_dir=tmp/'eval_tflite', batch_size=a.batch,
                                              drop_missing=True, progress=False)[0]
    full_t = time.perf_counter() - t
    same = abs(res_t.verification.accuracy_mean - res.verification.accuracy_mean)
    rows = [dict(step='full View 2 evaluation of the .keras model (validate: load, embed with flip, 10 folds, figures, files)', seconds=round(full, 1)),
            dict(step='export to TFLite fp32 (cosface_export: convert, metadata, parity check)', seconds=round(export, 1)),
            dict(step=f'full View 2 evaluation of the TFLite export (accuracy within {100 * same:.2f} points of Keras)', seconds=round(full_t, 1)),
            dict(step=f'embedding extraction (Keras), {len(some):,} images with flip', seconds=round(extract, 1),
                 images_per_s=round(len(some) / extract, 1), forward_passes_per_s=round(2 * len(some) / extract, 1)),
            dict(step='10-fold protocol alone (6,000 scores)', seconds=round(folds, 3))]
    for r in rows:
        extra = f"  ({r['images_per_s']} images/s, {r['forward_passes_per_s']} forward passes/s)" if 'images_per_s' in r else ''
        print(f"{r['step']:<86} {r['seconds']:>8} s{extra}")
    best = min(full, export + full_t)
    print(f"target: full evaluation <= 120 s: {'met' if best <= 120 else 'NOT met'} (Keras {full:.0f} s; TFLite export + evaluation "
          f"{export + full_t:.0f} s = {full / (export + full_t):.1f}x faster); pairs scored: {res.n_pairs:,}")
    write_json(a.json, dict(machine=m, model=Path(model).name if a.model else 'mobilefacenet 112 px (random weights)',
                            n_pairs=int(res.n_pairs), n_images=len(uniq), batch=a.batch, rows=rows))

if __name__ == '__main__': main()

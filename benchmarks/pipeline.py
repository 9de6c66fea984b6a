"""Input pipeline alone (aligned 112 px crops and raw 250 px LFW JPEGs), the small backbone's appetite, and the two together.

The training pipeline (`cosface.data.EpochStream`, streaming from the files: no cache, the worst case) is drained on
a fixed sample of LFW images, once from the aligned 112 px crops and once from the raw 250 px deep-funneled JPEGs
(centre crop 0.5, resized to 112): images/s. The MobileFaceNet training step on in-memory tensors gives what the
small backbone consumes; then the same step is fed by each pipeline (`fit`, median step after warm-up). The
pipeline must deliver at least 5x what the backbone consumes, and feeding it must not slow the step.

    .venv/bin/python benchmarks/pipeline.py [--n 2048] [--batch 64] [--steps 6]
"""
import argparse, time
from pathlib import Path
import numpy as np
import cosface                                    # quiet TensorFlow start-up
import keras, tensorflow as tf
from cosface.config import Config
from cosface.paths import cache_dir, data_root
from cosface.data import EpochStream
from cosface.train import build_models, compile_phase
from cosface.optim import phase_schedule
from _common import machine, write_json

class StepTimes(keras.callbacks.Callback):
    "Wall seconds of each training step."
    def on_train_begin(self, logs=None): self.secs = []
    def on_train_batch_begin(self, batch, logs=None): self.t0 = time.perf_counter()
    def on_train_batch_end(self, batch, logs=None): self.secs.append(time.perf_counter() - self.t0)

def drain(stream:EpochStream)->float:
    "Images/s of one epoch of `stream`, after its first batch."
    it = iter(stream(0, 1)); next(it)
    t, n = time.perf_counter(), 0
    for (x, _), _ in it: n += int(x.shape[0])
    return n / (time.perf_counter() - t)

def step_model(batch:int, classes:int=1000, size:int=112):
    "A compiled MobileFaceNet + CosFace training model, fp32."
    cfg = Config(backbone='mobilefacenet', image_size=size, embedding_dim=512, batch_size=batch, precision='fp32')
    model, _ = build_models(cfg, classes)
    compile_phase(model, cfg, phase_schedule(0.1, 1, 100))
    return model

def fed_rate(model, ds, batch:int, steps:int, warmup:int=2)->float:
    "Images/s of `model`'s training step fed by `ds` (median step after `warmup`)."
    t = StepTimes()
    model.fit(ds, steps_per_epoch=warmup + steps, epochs=1, verbose=0, callbacks=[t], shuffle=False)
    return batch / float(np.median(t.secs[warmup:]))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = (data_root() or Path('../shared/data'))/'lfw'/'images_deepfunneled'
    ap.add_argument('--aligned', default=str(cache_dir()/'lfw_aligned'), help='aligned 112 px LFW crops')
    ap.add_argument('--raw', default=str(root), help='raw 250 px LFW JPEGs')
    ap.add_argument('--n', type=int, default=2048, help='images in each sample')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=6, help='timed training steps (after 2 warm-up)')
    ap.add_argument('--json', default='benchmarks/results/pipeline.json')
    a = ap.parse_args()
    m = machine(); print(m['text'])
    sources = [(name, Path(d), crop) for name, d, crop in (('aligned 112 px', a.aligned, 1.0), ('raw 250 px (crop 0.5)', a.raw, 0.5))
               if Path(d).is_dir() or print(f'{name}: skipped ({d} not found)')]
    model = step_model(a.batch)
    x = tf.random.uniform((a.batch, 112, 112, 3), -1, 1); y = tf.zeros((a.batch,), tf.int32)
    mem = fed_rate(model, tf.data.Dataset.from_tensors(((x, y), y)).repeat(), a.batch, a.steps)
    print(f'MobileFaceNet 112 px training step on in-memory tensors: {mem:.1f} images/s (what the pipeline must feed)', flush=True)
    rows = []
    for name, d, crop in sources:
        files = sorted(d.rglob('*.jpg')); files = files[::max(1, len(files) // a.n)][:a.n]
        stream = EpochStream(files, np.zeros(len(files), np.int32), 112, crop, a.batch, cache='none')
        alone = drain(stream)
        fed = fed_rate(model, stream(0, 10**4), a.batch, a.steps)
        rows.append(dict(source=name, images=len(files), pipeline_images_per_s=round(alone, 1), backbone_images_per_s=round(mem, 1),
                         headroom=round(alone / mem, 1), fed_images_per_s=round(fed, 1), fed_vs_memory=round(fed / mem, 2)))
        r = rows[-1]
        print(f"{name:<22} pipeline alone {r['pipeline_images_per_s']:>7} images/s = {r['headroom']}x the backbone's "
              f"{'(>= 5x: ok)' if r['headroom'] >= 5 else '(< 5x: the pipeline can limit training)'}; "
              f"step fed by it {r['fed_images_per_s']} images/s = {r['fed_vs_memory']:.2f}x in-memory", flush=True)
    write_json(a.json, dict(machine=m, batch=a.batch, backbone='mobilefacenet', in_memory_images_per_s=round(mem, 1), rows=rows))

if __name__ == '__main__': main()

"""How long does `fit()` sit idle at the end of an epoch, with tf.data autotuning on and off?

Trains a small MobileFaceNet for a few epochs on the embedded synthetic faces with both pipeline
settings and prints, per setting: seconds per epoch, images/s, and the gap between the end of the
last batch and the end of the epoch (`fit()` idling while tf.data shuts the iterator down).

    .venv/bin/python benchmarks/data_pipeline.py [--epochs 3] [--image_size 112]
"""
import argparse, os, time
import cosface                  # before keras: quiet TensorFlow start-up
import numpy as np, keras
from cosface.config import Config
from cosface.data import load_face_data, face_dataset
from cosface.synthetic import ensure_synthetic
from cosface.train import build_models
from cosface.losses import CosFaceLoss, CosFaceAccuracy

class Gap(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None): self.t0 = time.perf_counter()
    def on_train_batch_end(self, batch, logs=None): self.last = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        now = time.perf_counter()
        self.rows.append((now - self.t0, now - self.last))

def run(autotune, data, cfg):
    keras.utils.set_random_seed(0)
    ds = face_dataset(data.train.path, data.train.label, cfg.image_size, batch_size=cfg.batch_size, training=True, autotune=autotune)
    model, _ = build_models(cfg, data.n_classes)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss=CosFaceLoss(), metrics=[CosFaceAccuracy(cfg.s, cfg.m)], jit_compile=False)
    gap = Gap(); gap.rows = []
    model.fit(ds, epochs=cfg.epochs, callbacks=[gap], verbose=0, shuffle=False)
    secs, gaps = np.array(gap.rows).T
    return secs[1:], gaps[1:]   # epoch 1 includes tracing and filling the cache

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--epochs', type=int, default=4); ap.add_argument('--image_size', type=int, default=112)
    ap.add_argument('--batch_size', type=int, default=64)
    a = ap.parse_args()
    data = load_face_data(ensure_synthetic().identities_dir, val_split=0.0)
    cfg = Config(backbone='mobilefacenet', image_size=a.image_size, embedding_dim=128, batch_size=a.batch_size, epochs=a.epochs, head_epochs=0, s=32.0)
    print(f'{len(data.train)} images, {a.epochs} epochs (first epoch excluded), {os.cpu_count()} CPUs')
    for autotune in (True, False):
        secs, gaps = run(autotune, data, cfg)
        n = (len(data.train) // a.batch_size) * a.batch_size
        print(f"autotune={'on ' if autotune else 'off'}: {secs.mean():6.2f} s/epoch, {n/secs.mean():7.1f} images/s, "
              f"idle after last batch {gaps.mean():.3f} s (max {gaps.max():.3f})")

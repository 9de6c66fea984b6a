"""The project's training loop against the Keras recipe a user writes first, same backbone, head and data.

Naive: `keras.utils.image_dataset_from_directory` (decode every epoch, no cache, default settings) feeding the same
MobileFaceNet + CosFace model through a default `model.fit`. Project: `cosface.train.train` on the same folder
(decoded-image cache, parallel decode, prefetch, and everything a run writes: checkpoints, logs, state). Both train
from scratch for `--epochs` epochs with the backbone trainable throughout; the first epoch (tracing, cache filling)
is excluded and the rest give images/s. Prints the ratio.

    .venv/bin/python benchmarks/naive_keras.py [--data DIR] [--identities 40] [--epochs 3] [--image_size 112]
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import cosface                                    # quiet TensorFlow start-up
import keras, tensorflow as tf
from cosface.config import Config
from cosface.paths import cache_dir, scan_identities, link_identities
from cosface.train import train, build_models
from cosface.losses import CosFaceLoss
from _common import machine, write_json

class EpochTimes(keras.callbacks.Callback):
    "Wall seconds of each epoch."
    def on_train_begin(self, logs=None): self.secs = []
    def on_epoch_begin(self, epoch, logs=None): self.t0 = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None): self.secs.append(time.perf_counter() - self.t0)

def naive(folder, cfg:Config, n_classes:int):
    "Images/s of the first-try Keras recipe after its first epoch."
    ds = keras.utils.image_dataset_from_directory(folder, image_size=(cfg.image_size,) * 2, batch_size=cfg.batch_size, label_mode='int',
                                                  seed=cfg.seed, verbose=False)
    n = sum(int(tf.shape(y)[0]) for _, y in ds.take(10**6))
    ds = ds.map(lambda x, y: (((x - 127.5) / 128.0, y), y))
    model, _ = build_models(cfg, n_classes)
    model.compile(optimizer=keras.optimizers.SGD(cfg.lr, momentum=cfg.momentum), loss=CosFaceLoss())
    t = EpochTimes()
    model.fit(ds, epochs=cfg.epochs, callbacks=[t], verbose=0)
    return n / float(np.mean(t.secs[1:])), n

def project(folder, cfg:Config, run_dir:Path):
    "Images/s of `cosface.train.train` after its first epoch."
    t = EpochTimes()
    res = train(cfg.replace(data=str(folder), output_dir=str(run_dir)), callbacks=[t])
    n = len(res.data.train) // cfg.batch_size * cfg.batch_size
    return n / float(np.mean(t.secs[1:])), n

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--data', default=str(cache_dir()/'celeba_aligned'), help='aligned identity folder (112 px crops)')
    ap.add_argument('--identities', type=int, default=40, help='identities taken from it (the first, by name)')
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--image_size', type=int, default=112)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--json', default='benchmarks/results/naive_keras.json')
    a = ap.parse_args()
    if not Path(a.data).is_dir(): print(f'skipped: no aligned identity folder at {a.data} (cosface_align the CelebA subset there)'); return
    tmp = Path(tempfile.mkdtemp(prefix='cosface_bench_naive_'))
    counts = scan_identities(a.data).images.identity.value_counts()
    names = sorted(counts[counts >= 2].index)[:a.identities]
    folder = tmp/'faces'; link_identities(a.data, names, folder)
    cfg = Config(backbone='mobilefacenet', image_size=a.image_size, embedding_dim=128, batch_size=a.batch, epochs=a.epochs, head_epochs=0,
                 s=32.0, lr=0.05, finetune_lr=0.05, val_split=0.0, min_images=1, cache='auto', progress=0, precision='fp32', warmup_epochs=0.0)
    m = machine(); print(m['text'])
    keras.utils.set_random_seed(0); naive_rate, n1 = naive(folder, cfg, len(names))
    print(f'naive Keras recipe: {naive_rate:6.1f} images/s ({n1} images/epoch)', flush=True)
    keras.utils.set_random_seed(0); proj_rate, n2 = project(folder, cfg, tmp/'run')
    print(f'cosface train:      {proj_rate:6.1f} images/s ({n2} images/epoch)')
    print(f'ratio cosface / naive: {proj_rate / naive_rate:.2f}x (MobileFaceNet {a.image_size} px, batch {a.batch}, {len(names)} identities, '
          f'epochs 2..{a.epochs})')
    write_json(a.json, dict(machine=m, backbone='mobilefacenet', image_size=a.image_size, batch=a.batch, identities=len(names),
                            epochs=a.epochs, naive_images_per_s=round(naive_rate, 1), cosface_images_per_s=round(proj_rate, 1),
                            ratio=round(proj_rate / naive_rate, 2)))

if __name__ == '__main__': main()

"""How many epochs should weight averaging span? A run's last K epoch checkpoints averaged, for several K, then scored.

For each K, the last K checkpoints of the run folder are averaged (`cosface.checkpoints.average_weights`), the
batch-norm statistics are re-estimated on clean training images (`cosface.bnstats.recalibrate_bn`, as `precise_bn`
does), and the pairs sets are scored (best threshold on a single set for LFW-format files, 10-fold for plain lists).

    .venv/bin/python experiments/swa_check.py experiments/recipe-z120-swa-mobilefacenet48 --k 1 3 5 10 \
        --train $COSFACE_CACHE/lfw_view1_celeba_train_z120 --root $COSFACE_CACHE/lfw_aligned_pairs_z120 \
        --pairs $COSFACE_DATA/lfw/pairsDevTest.txt $COSFACE_CACHE/celeba_heldout_z120/celeba_heldout.txt
"""
import argparse
from pathlib import Path
import cosface
import keras
from cosface.paths import expand_path
from cosface.checkpoints import checkpoint_table, average_weights
from cosface.bnstats import recalibrate_bn
from cosface.evaluate import embedding_submodel, model_image_size
from bn_check import load_sets, clean_images, score   # this folder's bn_check.py

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('run', help='run folder with epoch checkpoints')
    ap.add_argument('--k', type=int, nargs='+', default=[1, 3, 5, 10], help='numbers of last epochs to average')
    ap.add_argument('--train', required=True, help='training folder (one subfolder per identity)')
    ap.add_argument('--pairs', nargs='+', required=True)
    ap.add_argument('--root', required=True, help='aligned images of LFW-format pairs')
    ap.add_argument('--n', type=int, default=4096, help='clean training images for the batch-norm statistics')
    a = ap.parse_args()
    paths = list(checkpoint_table(Path(expand_path(a.run))/'checkpoints').path)
    model = keras.saving.load_model(paths[-1], compile=False)
    emb = embedding_submodel(model); size = model_image_size(emb)
    sets, images = load_sets(a.pairs, a.root, size), clean_images(a.train, size, a.n)
    for k in a.k:
        if k > len(paths): print(f'K={k}: only {len(paths)} checkpoints'); continue
        average_weights(model, paths[-k:])
        recalibrate_bn(emb, [images[i:i+64] for i in range(0, len(images) - 63, 64)])
        print(f'last {k} epochs averaged ({paths[-k].name[:8]}-{paths[-1].name[:8]}), precise BN: ' + '; '.join(score(emb, sets)), flush=True)

if __name__ == '__main__': main()

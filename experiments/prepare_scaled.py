"""Prepare the recipe's data at a face scale straight from the raw images (View 1 only), into $COSFACE_CACHE.

    .venv/bin/python experiments/prepare_scaled.py --face_scale 1.2 [--workers 2]

The same trees as prepare_lfw.py + prepare_celeba.py + prepare_recipe.py + loose_crop.py, named with the `_z<scale*100>`
suffix that recipe_z120.yaml reads, but only what a View 1 run needs (no View 2 images), detected once at that scale:
1. View 1's training people (peopleDevTrain.txt), MTCNN, the centred face, no fallback -> lfw_aligned_z..;
2. the images of pairsDevTest.txt, centre-crop fallback so every pair is kept -> lfw_aligned_pairs_z..;
3. the CelebA subset, the largest face -> celeba_aligned_z..; its identities split as prepare_celeba.py does (seed 0,
   two thirds to train on) into celeba_finetune_z.. and celeba_heldout_z.. (with the held-out pairs, as prepare_recipe.py);
4. lfw_view1_celeba_train_z..: every View 1 training person and the CelebA training identities, as links.
Resumable: run it again and only what is missing is done.
"""
import argparse, filecmp, sys
from pathlib import Path
import cosface
from cosface.paths import data_root, cache_dir, link_identities, public_path
from cosface.pairs import read_people
from cosface.align import align_paths, align_folder, align_pair_images
sys.path.insert(0, str(Path(__file__).parent))
from prepare_celeba import split_identities      # the same identity split
from prepare_recipe import write_heldout_pairs   # and the same held-out pairs

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--face_scale', type=float, default=1.2, help='the face size in the crop (1: the ArcFace crop)')
    ap.add_argument('--workers', type=int, default=2, help='detector processes')
    a = ap.parse_args()
    lfw, celeba, cache, z = data_root()/'lfw', data_root()/'celeba-subset'/'images', cache_dir(), f'_z{round(a.face_scale*100)}'
    imgs = lfw/'images_deepfunneled'
    people = read_people(lfw/'peopleDevTrain.txt')
    files = sorted(p for n in people for p in (imgs/n).glob('*.jpg'))
    align_paths(files, imgs, cache/f'lfw_aligned{z}', 'mtcnn', select='center', workers=a.workers, fallback='none',
                suffix='.jpg', face_scale=a.face_scale)
    align_pair_images(lfw, lfw/'pairsDevTest.txt', cache/f'lfw_aligned_pairs{z}', select='center', workers=a.workers,
                      face_scale=a.face_scale)
    align_folder(celeba, cache/f'celeba_aligned{z}', 'mtcnn', select='largest', workers=a.workers, face_scale=a.face_scale)
    fine, held = split_identities(cache/f'celeba_aligned{z}')
    for name, part in ((f'celeba_finetune{z}', fine), (f'celeba_heldout{z}', held)):
        print(link_identities(cache/f'celeba_aligned{z}', part, cache/name).summary().replace(str(cache), '$COSFACE_CACHE'))
    train = cache/f'lfw_view1_celeba_train{z}'
    found = sorted(p for p in people if (cache/f'lfw_aligned{z}'/p).is_dir())
    link_identities(cache/f'lfw_aligned{z}', found, train)
    print(f'View 1 training people: {len(people):,} listed, {len(found):,} with an aligned image;',
          link_identities(cache/f'celeba_finetune{z}', fine, train).summary().replace(str(cache), '$COSFACE_CACHE'))
    pairs, df = write_heldout_pairs(cache/f'celeba_heldout{z}')
    same = filecmp.cmp(pairs, Path(__file__).parent/'celeba_heldout.txt', shallow=False)
    print(f'{public_path(pairs)}: {len(df):,} pairs; the same as experiments/celeba_heldout.txt: {same}')

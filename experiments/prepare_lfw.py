"""Prepare the data of the reference run (experiments/reference.yaml) from the shared LFW copy, into $COSFACE_CACHE.

    .venv/bin/python experiments/prepare_lfw.py [--workers 2]

1. aligns every LFW image (MTCNN, the centred face: in LFW the subject is the centred face) into $COSFACE_CACHE/lfw_aligned;
2. links View 1's training people (peopleDevTrain.txt) into $COSFACE_CACHE/lfw_view1_train (no copies);
3. links View 1's test people (peopleDevTest.txt: none of them is a training person) into $COSFACE_CACHE/lfw_view1_test,
   for identity-disjoint 10-fold pairs of unseen people (the margin sweep);
4. aligns the images that the official pairs files name into $COSFACE_CACHE/lfw_aligned_pairs, with a centre-crop
   fallback where no face is found, so that every test pair is kept.
Each step is resumable: run it again and only what is missing is done.
"""
import argparse
import cosface
from cosface.paths import data_root, cache_dir, link_identities, public_path
from cosface.pairs import read_people
from cosface.align import align_folder, align_pair_images

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--workers', type=int, default=2, help='detector processes')
    a = ap.parse_args()
    lfw, cache = data_root()/'lfw', cache_dir()
    align_folder(lfw/'images_deepfunneled', cache/'lfw_aligned', 'mtcnn', select='center', workers=a.workers)
    people = read_people(lfw/'peopleDevTrain.txt')
    found = sorted(p for p in people if (cache/'lfw_aligned'/p).is_dir())
    print(f'View 1 training people: {len(people):,} listed, {len(found):,} with an aligned image;',
          link_identities(cache/'lfw_aligned', found, cache/'lfw_view1_train').summary().replace(str(cache/'lfw_view1_train'), public_path(cache/'lfw_view1_train')))
    test = sorted(p for p in read_people(lfw/'peopleDevTest.txt') if (cache/'lfw_aligned'/p).is_dir())
    print(f'View 1 test people with an aligned image: {len(test):,};',
          link_identities(cache/'lfw_aligned', test, cache/'lfw_view1_test').summary().replace(str(cache/'lfw_view1_test'), public_path(cache/'lfw_view1_test')))
    align_pair_images(lfw/'images_deepfunneled', [lfw/'pairs.txt', lfw/'pairsDevTest.txt'], cache/'lfw_aligned_pairs',
                      select='center', workers=a.workers)

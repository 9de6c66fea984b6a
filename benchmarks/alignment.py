"""Alignment throughput (images/s) and detection rate per detector, on a fixed sample of raw LFW images.

Runs `cosface.align.align_paths` (detect, choose the centred face, 5-point similarity warp, write JPEG) on every
`len/--n`-th LFW image, per detector and worker setting, and projects the time for all 13,233 LFW images.
RetinaFace needs its weights file offline (`--retinaface_weights`); without it that row is skipped with a message.
Target: all of LFW in at most 10 minutes on 2 cores (>= 22 images/s) at MTCNN's detection rate.

    .venv/bin/python benchmarks/alignment.py [--n 400] [--detectors mtcnn haar retinaface] [--workers 1 2]
"""
import argparse, shutil, tempfile, time
from pathlib import Path
import cosface                                    # quiet TensorFlow start-up
from cosface.paths import data_root
from cosface.align import align_paths
from cosface.detectors import retinaface_weights_path
from _common import machine, write_json

LFW_IMAGES = 13233

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--lfw', default=str((data_root() or Path('../shared/data'))/'lfw'/'images_deepfunneled'), help='raw LFW images')
    ap.add_argument('--n', type=int, default=400, help='images in the sample')
    ap.add_argument('--detectors', nargs='+', default=['mtcnn', 'haar', 'retinaface'])
    ap.add_argument('--workers', nargs='+', type=int, default=[1, 2])
    ap.add_argument('--batch', type=int, default=16, help='images per detector call')
    ap.add_argument('--retinaface_weights', help='local retinaface.h5')
    ap.add_argument('--json', default='benchmarks/results/alignment.json')
    a = ap.parse_args()
    if not Path(a.lfw).is_dir(): print(f'skipped: raw LFW not found at {a.lfw}'); return
    files = sorted(Path(a.lfw).rglob('*.jpg'))
    sample = files[::max(1, len(files) // a.n)][:a.n]
    m = machine(); print(m['text']); print(f'{len(sample)} LFW images (every {max(1, len(files) // a.n)}th), batch {a.batch}, select center')
    rows = []
    for det in a.detectors:
        if det == 'retinaface':
            w = retinaface_weights_path(a.retinaface_weights)
            if not w.is_file(): print(f'retinaface: skipped (no weights at {w.name}: pass --retinaface_weights; nothing is downloaded)'); continue
        for w in a.workers:
            dst = Path(tempfile.mkdtemp(prefix='cosface_bench_align_'))
            try:
                t = time.perf_counter()
                rep = align_paths(sample, a.lfw, dst, detector=det, select='center', workers=w, progress=False, fallback='none',
                                  batch=a.batch, retinaface_weights=a.retinaface_weights, montage_n=0)
                secs = time.perf_counter() - t
            finally: shutil.rmtree(dst, ignore_errors=True)
            rate = len(sample) / secs
            rows.append(dict(detector=det, workers=w, batch=a.batch, images=len(sample), seconds=round(secs, 1), images_per_s=round(rate, 1),
                             detection_rate=round(float(rep.aligned.mean()), 4), lfw_minutes=round(LFW_IMAGES / rate / 60, 1)))
            r = rows[-1]
            print(f"{det:<11} workers {w}: {r['images_per_s']:>6} images/s, detection rate {100 * r['detection_rate']:.2f}%, "
                  f"all LFW in {r['lfw_minutes']} min (includes start-up of {w} detector(s))", flush=True)
    write_json(a.json, dict(machine=m, sample=len(sample), rows=rows))

if __name__ == '__main__': main()

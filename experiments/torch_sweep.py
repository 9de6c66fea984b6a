"""A PyTorch mirror of the CPU recipe, to screen recipe changes on a GPU before spending a CPU hour on one.

Not part of the package, and no published model comes from it: the reference runs are cosface's own (Keras, CPU).
It mirrors them closely enough to rank changes, and runs many recipes at once on one GPU (bf16 autocast):
- the same MobileFaceNet, embedding head and CosFace logits, Keras' initialisers (Glorot, PReLU alpha 0) and BN momentum;
- SGD with momentum 0.9, Keras' decoupled weight decay (not on BN, biases or PReLU) and its per-step warmup + cosine;
- the same flip, shift/zoom, colour jitter, grayscale, blur and erasing, on the GPU;
- the same faces, preprocessed by cosface to 64 px, then stored as JPEG (quality 90) so the data fits the device's
  64 MiB transfer limit.
Differences: PyTorch pads stride-2 convolutions on all sides (TensorFlow's 'same': bottom/right only), the blur pads
by replication (TensorFlow: symmetric), the random streams differ, and the pairs are scored by this file's own
best-threshold and 10-fold code (the same protocol as cosface.verify).

  pack (here, with cosface):  .venv/bin/python experiments/torch_sweep.py pack OUT.npz
  run (on a GPU, PyTorch):    python3 experiments/torch_sweep.py run OUT.npz RESULTS_DIR [--workers 8] [--minutes 8]
"""
import json, math, os, sys, time
from pathlib import Path
import numpy as np

SIZE = 64

# ---------------------------------------------------------------- pack: the recipe's data as cosface preprocesses it
def _encode_all(paths, size=SIZE):
    import cv2, tensorflow as tf
    from cosface.data import crop_resize, _decode
    bufs = []
    for p in paths:
        img = crop_resize(_decode(tf.io.read_file(str(p))), size).numpy()
        ok, b = cv2.imencode('.jpg', img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90]); assert ok
        bufs.append(np.frombuffer(b.tobytes(), np.uint8))
    return np.concatenate(bufs), np.cumsum([0] + [len(b) for b in bufs])

def pack(out):
    "Training faces, View 1 test pairs and held-out CelebA pairs, 64 px JPEG, in one npz."
    from cosface.monitor import PairsSet
    cache, data = Path(os.environ.get('COSFACE_CACHE', Path.home()/'.cache/cosface')), Path(os.environ.get('COSFACE_DATA', '../shared/data'))
    root = cache/'lfw_view1_celeba_train'
    ids = sorted(d.name for d in root.iterdir() if d.is_dir())
    paths, labels = [], []
    for i, name in enumerate(ids):
        for f in sorted((root/name).iterdir()): paths.append(f); labels.append(i)
    arrays = {'train_labels': np.array(labels, np.int32)}
    arrays['train_jpg'], arrays['train_off'] = _encode_all(paths)
    sets = {'lfw_devtest': PairsSet.load(data/'lfw/pairsDevTest.txt', cache/'lfw_aligned_pairs'),
            'celeba_heldout': PairsSet.load(cache/'celeba_heldout/celeba_heldout.txt')}
    for k, s in sets.items():
        arrays[f'{k}_jpg'], arrays[f'{k}_off'] = _encode_all(s.images)
        arrays[f'{k}_idx'] = np.stack([s.idx1, s.idx2, s.issame.astype(int), s.folds]).astype(np.int32)
    np.savez(out, **arrays)
    print(f'{len(paths)} training images of {len(ids)} identities; ' + ', '.join(f'{k}: {s.n_pairs} pairs, {s.n_images} images' for k, s in sets.items())
          + f'; {Path(out).stat().st_size/2**20:.1f} MiB')

# ---------------------------------------------------------------- run: the mirror (PyTorch)
BASE = dict(epochs=26, batch=64, lr=0.1, wd=5e-4, momentum=0.9, s=32.0, m=0.35, emb=128, width=1.0, size=SIZE, dropout=0.0,
            shift=0.05, zoom=0.1, jitter=0.2, gray=0.1, blur=0.1, erase=0.25, flip=True, warmup=1.0, ema=0.0, seed=0,
            min_images=1, ls=0.0, nesterov=False)

def _decode_set(z, key):
    import cv2
    buf, off = z[f'{key}_jpg'], z[f'{key}_off']
    return np.stack([cv2.imdecode(buf[off[i]:off[i+1]], cv2.IMREAD_COLOR)[..., ::-1] for i in range(len(off) - 1)])

def _model(cfg, n_classes):
    import torch, torch.nn as nn
    w = lambda c: int(round(c * cfg['width']))
    def cbn(i, o, k, s, act=True, dw=False, pad=None):
        layers = [nn.Conv2d(i, o, k, s, k//2 if pad is None else pad, groups=i if dw else 1, bias=False), nn.BatchNorm2d(o, eps=1e-5, momentum=0.1)]
        if act:
            p = nn.PReLU(o); nn.init.zeros_(p.weight); layers.append(p)   # Keras' PReLU starts at alpha 0
        return nn.Sequential(*layers)
    class Bneck(nn.Module):
        def __init__(self, i, t, o, s):
            super().__init__(); self.res = s == 1 and i == o
            self.f = nn.Sequential(cbn(i, i*t, 1, 1), cbn(i*t, i*t, 3, s, dw=True), cbn(i*t, o, 1, 1, act=False))
        def forward(self, x): return x + self.f(x) if self.res else self.f(x)
    layers, c = [cbn(3, w(64), 3, 2), cbn(w(64), w(64), 3, 1, dw=True)], w(64)
    for t, ch, n, st in ((2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1), (4, 128, 1, 2), (2, 128, 2, 1)):
        for b in range(n): layers.append(Bneck(c, t, w(ch), st if b == 0 else 1)); c = w(ch)
    fm = cfg['size'] // 16
    layers += [cbn(c, 512, 1, 1), cbn(512, 512, fm, 1, act=False, dw=True, pad=0),
               nn.BatchNorm2d(512, eps=1e-5, momentum=0.1), nn.Dropout(cfg['dropout']), nn.Flatten(),
               nn.Linear(512, cfg['emb']), nn.BatchNorm1d(cfg['emb'], eps=1e-5, momentum=0.1)]
    net = nn.Sequential(*layers)
    for mod in net.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(mod.weight)
            if getattr(mod, 'bias', None) is not None: nn.init.zeros_(mod.bias)
    kernel = nn.Parameter(torch.empty(cfg['emb'], n_classes)); nn.init.xavier_normal_(kernel)
    return net, kernel

def _augment(x, cfg, g):
    "The recipe's augmentations on a normalised [B,3,H,W] batch (flip, shift/zoom, jitter, gray, blur, erase)."
    import torch, torch.nn.functional as F
    b, dev = x.shape[0], x.device
    U = lambda *shape, lo=0.0, hi=1.0: torch.rand(*shape, device=dev, generator=g) * (hi - lo) + lo
    if cfg['flip']: x = torch.where(U(b, 1, 1, 1) < 0.5, x.flip(3), x)
    if cfg['shift'] or cfg['zoom']:
        side = 1.0 / U(b, lo=1 - cfg['zoom'], hi=1 + cfg['zoom']); cen = U(b, 2, lo=-cfg['shift'], hi=cfg['shift'])
        theta = torch.zeros(b, 2, 3, device=dev); theta[:, 0, 0] = side; theta[:, 1, 1] = side
        theta[:, 0, 2] = 2 * cen[:, 0]; theta[:, 1, 2] = 2 * cen[:, 1]
        x = F.grid_sample(x, F.affine_grid(theta, x.shape, align_corners=False), 'bilinear', 'zeros', align_corners=False)
    gray = lambda t: (t * torch.tensor([0.299, 0.587, 0.114], device=dev).view(1, 3, 1, 1)).sum(1, keepdim=True)
    if cfg['jitter']:
        j = cfg['jitter']; br, co, sa = U(b, 1, 1, 1, lo=-j, hi=j), U(b, 1, 1, 1, lo=-j, hi=j), U(b, 1, 1, 1, lo=-j, hi=j)
        mean = x.mean((1, 2, 3), keepdim=True); x = (x - mean) * (1 + co) + mean + br
        gr = gray(x); x = (gr + (x - gr) * (1 + sa)).clamp(-1, 1)
    if cfg['gray']: x = torch.where(U(b, 1, 1, 1) < cfg['gray'], gray(x).expand_as(x), x)
    if cfg['blur']:
        k = torch.exp(-torch.arange(-2.0, 3.0, device=dev)**2 / 2); k = k / k.sum(); k2 = (k[:, None] * k[None]).expand(3, 1, 5, 5)
        bl = F.conv2d(F.pad(x, (2, 2, 2, 2), mode='replicate'), k2, groups=3)
        x = torch.where(U(b, 1, 1, 1) < cfg['blur'], bl, x)
    if cfg['erase']:
        h = x.shape[2]; a = U(b, lo=0.02, hi=0.25); r = torch.exp(U(b, lo=math.log(1/3), hi=math.log(3.0)))
        eh, ew = (a * r).sqrt().clamp(max=1), (a / r).sqrt().clamp(max=1)
        y0, x0 = U(b) * (1 - eh), U(b) * (1 - ew); pos = (torch.arange(h, device=dev) + 0.5) / h
        iy = (pos[None] >= y0[:, None]) & (pos[None] < (y0 + eh)[:, None]); ix = (pos[None] >= x0[:, None]) & (pos[None] < (x0 + ew)[:, None])
        box = (iy[:, :, None] & ix[:, None, :])[:, None] & (U(b, 1, 1, 1) < cfg['erase'])
        x = torch.where(box, torch.zeros_like(x), x)
    return x

def _embed(net, imgs, bs=512):
    import torch, torch.nn.functional as F
    out = []
    with torch.no_grad(), torch.autocast('cuda', torch.bfloat16, enabled=imgs.is_cuda):
        for i in range(0, len(imgs), bs):
            x = imgs[i:i+bs]
            e = net(x).float() + net(x.flip(3)).float()
            out.append(e)
    return F.normalize(torch.cat(out), dim=1).cpu().numpy()

def _scores(e, idx):
    from sklearn.metrics import roc_auc_score
    i1, i2, same, folds = idx
    sc = (e[i1] * e[i2]).sum(1); same = same.astype(bool)
    def best(s, y):
        t = np.sort(s); cand = np.concatenate([[t[0] - 1], (t[1:] + t[:-1]) / 2, [t[-1] + 1]])
        accs = [((s >= c) == y).mean() for c in cand]; k = int(np.argmax(accs)); return cand[k], accs[k]
    single = best(sc, same)[1]
    fold_acc = [single] if len(np.unique(folds)) < 2 else []
    for f in (np.unique(folds) if len(np.unique(folds)) > 1 else []):
        tr = folds != f; th, _ = best(sc[tr], same[tr]); fold_acc.append(((sc[~tr] >= th) == same[~tr]).mean())
    return dict(acc=100 * single, acc10=100 * float(np.mean(fold_acc)), std10=100 * float(np.std(fold_acc)), auc=float(roc_auc_score(same, sc)))

def train_one(cfg, data, dev):
    import torch, torch.nn.functional as F
    cfg = {**BASE, **cfg}
    torch.manual_seed(cfg['seed']); g = torch.Generator(device=dev); g.manual_seed(cfg['seed'])
    x_all, y_all = data['train']
    if cfg['min_images'] > 1:
        counts = np.bincount(y_all); keep = counts[y_all] >= cfg['min_images']
        x_all, y_all = x_all[keep], np.unique(y_all[keep], return_inverse=True)[1]
    n_classes = int(y_all.max()) + 1
    X = torch.from_numpy(x_all).to(dev).permute(0, 3, 1, 2).contiguous(); Y = torch.from_numpy(y_all.astype(np.int64)).to(dev)
    norm = lambda u8: (u8.float() - 127.5) / 128.0
    resize = (lambda t: F.interpolate(t, size=(cfg['size'],) * 2, mode='bilinear', antialias=True, align_corners=False)) if cfg['size'] != SIZE else (lambda t: t)
    net, kernel = _model(cfg, n_classes); net = net.to(dev).to(memory_format=torch.channels_last); kernel = kernel.to(dev).detach().requires_grad_()
    decay = [p for n, p in net.named_parameters() if p.ndim > 1] + [kernel]
    no_decay = [p for n, p in net.named_parameters() if p.ndim <= 1]
    params = decay + no_decay
    opt = torch.optim.SGD(params, lr=cfg['lr'], momentum=cfg['momentum'], nesterov=cfg['nesterov'])
    n = len(Y); steps = n // cfg['batch']; total = steps * cfg['epochs']; warm = min(int(round(cfg['warmup'] * steps)), total // 2)
    def lr_at(it):
        if it < warm: return cfg['lr'] / warm + (cfg['lr'] - cfg['lr'] / warm) * it / warm
        return cfg['lr'] * 0.5 * (1 + math.cos(math.pi * (it - warm) / max(1, total - warm)))
    ema = None
    if cfg['ema']:
        live = [v for v in net.state_dict().values() if v.dtype.is_floating_point]
        ema = [v.detach().clone() for v in live]
    it, t0, hist = 0, time.time(), []
    for ep in range(cfg['epochs']):
        net.train(); perm = torch.randperm(n, device=dev, generator=g); correct = seen = 0
        for st in range(steps):
            bi = perm[st*cfg['batch']:(st+1)*cfg['batch']]
            xb = resize(_augment(norm(X[bi]), cfg, g)).contiguous(memory_format=torch.channels_last); yb = Y[bi]
            lr = lr_at(it)
            for gr in opt.param_groups: gr['lr'] = lr
            with torch.autocast('cuda', torch.bfloat16, enabled=dev == 'cuda'):
                e = net(xb)
            cos = F.normalize(e.float(), dim=1) @ F.normalize(kernel, dim=0)
            logits = cfg['s'] * (cos - cfg['m'] * F.one_hot(yb, n_classes))
            loss = F.cross_entropy(logits, yb, label_smoothing=cfg['ls'])
            opt.zero_grad(set_to_none=True); loss.backward()
            with torch.no_grad(): torch._foreach_mul_(decay, 1 - lr * cfg['wd'])   # Keras' decoupled weight decay, before the step
            opt.step(); it += 1
            if ema is not None:
                with torch.no_grad(): torch._foreach_mul_(ema, cfg['ema']); torch._foreach_add_(ema, live, alpha=1 - cfg['ema'])
            if st % 20 == 0: correct += (cos.argmax(1) == yb).sum().item(); seen += len(yb)
        hist.append(round(100 * correct / max(seen, 1), 2))
    train_s = time.time() - t0
    if ema is not None:
        with torch.no_grad(): torch._foreach_copy_(live, ema)
    net.eval(); res = {}
    for k in ('lfw_devtest', 'celeba_heldout'):
        imgs, idx = data[k]
        res[k] = _scores(_embed(net, resize(norm(torch.from_numpy(imgs).to(dev).permute(0, 3, 1, 2))).contiguous(memory_format=torch.channels_last)), idx)
    return dict(cfg=cfg, train_s=round(train_s, 1), train_acc=hist, n_classes=n_classes, n_images=n, **res)

def _worker(args):
    name, cfg, npz, out, dev = args
    import torch
    torch.set_num_threads(1)
    z = np.load(npz)
    data = {'train': (_decode_set(z, 'train'), z['train_labels'])}
    for k in ('lfw_devtest', 'celeba_heldout'): data[k] = (_decode_set(z, k), z[f'{k}_idx'])
    t = time.time()
    try: r = train_one(cfg, data, dev)
    except Exception as e: r = dict(cfg=cfg, error=f'{type(e).__name__}: {e}')
    r['name'], r['wall_s'] = name, round(time.time() - t, 1)
    Path(out, f'{name}.json').write_text(json.dumps(r))
    msg = r.get('error') or f"devtest {r['lfw_devtest']['acc']:.2f} (auc {r['lfw_devtest']['auc']:.4f})  celeba {r['celeba_heldout']['acc10']:.2f}±{r['celeba_heldout']['std10']:.2f} (auc {r['celeba_heldout']['auc']:.4f})  train acc {r['train_acc'][-1]}  {r['train_s']:.0f}s"
    print(f'{name:24s} {msg}', flush=True)
    return r

SWEEP = {   # name: changes from BASE, in order of priority
    'base': {}, 'base_seed1': dict(seed=1), 'noaug': dict(shift=0, zoom=0, jitter=0, gray=0, blur=0, erase=0),
    'm0.2': dict(m=0.2), 'm0.5': dict(m=0.5), 's64': dict(s=64.0), 'emb256': dict(emb=256), 'emb512': dict(emb=512),
    'ep40': dict(epochs=40), 'size48_ep40': dict(size=48, epochs=40), 'bs128_lr0.2': dict(batch=128, lr=0.2), 'bs32_lr0.05': dict(batch=32, lr=0.05),
    'drop0.2': dict(dropout=0.2), 'ema0.999': dict(ema=0.999), 'width1.5': dict(width=1.5), 'multi_only': dict(min_images=2),
    'lr0.2': dict(lr=0.2), 'lr0.05': dict(lr=0.05), 'flipshift_only': dict(jitter=0, gray=0, blur=0, erase=0), 'erase0.5': dict(erase=0.5),
    'size80': dict(size=80), 'ep16': dict(epochs=16), 'wd1e-3': dict(wd=1e-3), 'nesterov': dict(nesterov=True),
    'base_seed2': dict(seed=2), 'ep60': dict(epochs=60), 'size48': dict(size=48), 'm0.25': dict(m=0.25), 's48': dict(s=48.0),
    'width2': dict(width=2.0), 'geom_strong': dict(shift=0.1, zoom=0.2), 'noaug_drop0.2': dict(shift=0, zoom=0, jitter=0, gray=0, blur=0, erase=0, dropout=0.2),
}

def run(npz, out, workers=8, minutes=8.0, only=None):
    import torch, multiprocessing as mp
    Path(out).mkdir(parents=True, exist_ok=True)
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    names = [n for n in SWEEP if not only or n in only]
    print(f'{len(names)} runs on {dev} ({torch.cuda.get_device_name() if dev == "cuda" else "cpu"}), {workers} at a time', flush=True)
    ctx = mp.get_context('spawn'); deadline = time.time() + 60 * minutes
    with ctx.Pool(workers, maxtasksperchild=1) as pool:
        pending = [pool.apply_async(_worker, ((n, SWEEP[n], npz, out, dev),)) for n in names]
        for p in pending:
            try: p.get(timeout=max(1, deadline - time.time()))
            except mp.TimeoutError: print('deadline reached: the remaining runs are left out', flush=True); pool.terminate(); break
    done = [json.loads(Path(out, f'{n}.json').read_text()) for n in names if Path(out, f'{n}.json').exists()]
    Path(out, 'all.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in done))
    print(f'{len(done)} of {len(names)} runs finished', flush=True)

if __name__ == '__main__':
    if sys.argv[1] == 'pack': pack(sys.argv[2])
    else:
        a = sys.argv[2:]; kw = {}
        if '--workers' in a: kw['workers'] = int(a[a.index('--workers') + 1])
        if '--minutes' in a: kw['minutes'] = float(a[a.index('--minutes') + 1])
        if '--only' in a: kw['only'] = a[a.index('--only') + 1].split(',')
        run(a[0], a[1], **kw)

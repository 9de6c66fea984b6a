"""What every benchmark shares: the machine it ran on (said the same way everywhere) and its JSON file."""
import json, os, platform, datetime
from pathlib import Path

def cpu_name()->str:
    "The CPU model from /proc/cpuinfo (or the architecture)."
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.machine()

def machine()->dict:
    "CPU, cores, bf16 support, TensorFlow version and GPUs, with a one-line `text`."
    import tensorflow as tf
    from cosface.train import cpu_has_bf16
    gpus = [d.name for d in tf.config.list_physical_devices('GPU')]
    m = dict(cpu=cpu_name(), cores=os.cpu_count(), bf16_cpu=cpu_has_bf16(), tensorflow=tf.__version__, gpus=gpus,
             date=datetime.date.today().isoformat())
    m['text'] = (f"{m['cpu']}, {m['cores']} cores, bfloat16 matrix instructions: {'yes' if m['bf16_cpu'] else 'no'}, "
                 f"{len(gpus)} GPU(s), TensorFlow {m['tensorflow']}")
    return m

def write_json(path, payload:dict):
    "Write a benchmark's results (no absolute paths of this machine)."
    from cosface.paths import public_text
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(public_text(json.dumps(payload, indent=1)) + '\n')
    print(f'written {path}')

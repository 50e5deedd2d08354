"""Full-size models as TorchScript, for measuring the TorchScript frontend at real sizes.

Traces the full-size BERT-base (seq 128), ViT-B/16 and ResNet-50 builders of
test/models/generate.py (random weights, the configs of bench/models), saves each as
OUT/<name>.trace/model.pt with an input set and torch's outputs in test_data_set_0, in the
layout test/models/run_models.py reads. OUT defaults to bench/models/torch (git-ignored).

    /work/venv-models/bin/python bench/torch/full_models.py            # needs torch, transformers
    python3 test/models/run_models.py --models bench/models/torch --runner build/bin/dsr1-run \
        --min-count 3
"""

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "test" / "models"))

import generate as G  # noqa: E402  (the builders and the test-set writer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "models" / "torch")
    parser.add_argument("--only", nargs="+", choices=["bert", "vit", "resnet"])
    args = parser.parse_args()
    import torch

    builders = {"bert": G.build_bert, "vit": G.build_vit, "resnet": G.build_resnet}
    for name, build in builders.items():
        if args.only and name not in args.only:
            continue
        G.seed_everything()
        built = build(True)
        inputs = tuple(built.inputs.values())
        start = time.time()
        with torch.no_grad():
            traced = torch.jit.trace(built.module.eval(), inputs, check_trace=False)
            outputs = G.torch_outputs(built, built.inputs)
        folder = args.out / f"{name}.trace"
        folder.mkdir(parents=True, exist_ok=True)
        traced.save(str(folder / "model.pt"))
        feeds = {n: t.numpy() for n, t in built.inputs.items()}
        G.write_test_set(str(folder), 0, list(feeds), feeds, outputs, built.output_names)
        size = (folder / "model.pt").stat().st_size
        print(f"{folder}: {size / 1e6:.1f} MB, traced in {time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The parts of `bot nlu eval` that train and run models (Rasa, in subprocesses).

Training uses the Makefile's command and names its data (data/nlu, data/rules;
data/procedures is catalog data, not training data), with a fresh Rasa cache
so a change to our tokenizer's code never restores a component trained before
it. Tests never train: they cover `bot.nlu.evaluate`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.evaluation import Example, predict_intents, score
from bot.nlu.evaluate import fold_indices
from bot.settings import PROJECT_ROOT

NLU_DATA = PROJECT_ROOT / "data" / "nlu"
RULES = PROJECT_ROOT / "data" / "rules"


class TrainingError(Exception):
    pass


def _rasa(args: list[str], cache: Path) -> None:
    command = [str(Path(sys.executable).parent / "rasa"), *args]
    env = {**os.environ, "RASA_CACHE_DIRECTORY": str(cache), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or "").strip().splitlines()[-10:])
        raise TrainingError(f"Huấn luyện không thành công (mã {done.returncode}):\n{tail}")


def train_model(out_dir: Path, name: str, nlu_dir: Path | None = None) -> Path:
    """Train the whole model as `make model` does into out_dir/name.tar.gz, on the
    NLU examples of `nlu_dir` (the console's trainers add to NLU_DIR) and data/rules."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as cache:
        _rasa(["train", "--data", str(nlu_dir or NLU_DATA), str(RULES), "--domain", "domain.yml", "--config", "config.yml",
               "--out", str(out_dir.resolve()), "--fixed-model-name", name], Path(cache))
    model = out_dir / f"{name}.tar.gz"
    if not model.exists():
        raise TrainingError(f"Huấn luyện xong nhưng không thấy {model}.")
    return model


def cross_validate(folds: int, nlu_dir: Path | None = None) -> list[float]:
    """Accuracy of each fold: an NLU model trained on the other folds of data/nlu,
    tested on this one (one training per fold: minutes each)."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(nlu_dir or NLU_DATA))
    messages = data.intent_examples
    result = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, test_indices in enumerate(fold_indices([m.get("intent") for m in messages], folds)):
            held = set(test_indices)
            part = TrainingData(training_examples=[m for i, m in enumerate(messages) if i not in held],
                                entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
                                lookup_tables=data.lookup_tables)
            nlu_file = Path(tmp) / f"fold-{k}.yml"
            nlu_file.write_text(part.nlu_as_yaml(), encoding="utf-8")
            _rasa(["train", "nlu", "--nlu", str(nlu_file), "--config", "config.yml", "--out", tmp,
                   "--fixed-model-name", f"fold-{k}"], Path(tmp) / "cache")
            test = [Example(messages[i].get("text"), messages[i].get("intent")) for i in test_indices]
            predicted = predict_intents(Path(tmp) / f"fold-{k}.tar.gz", [e.text for e in test])
            result.append(score(test, predicted).overall)
    return result

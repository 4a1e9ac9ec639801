"""Regenerate the datasets in this folder from scikit-learn's bundled copies (run once; needs sklearn).

Run:  python examples/data/make_data.py
The examples themselves read the files written here and do not need scikit-learn.
"""

import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name: str, x: np.ndarray, y: np.ndarray, columns: list[str], fmt: str) -> None:
    """Save features and the label as the last column of a gzipped CSV with a header line."""
    table = np.column_stack([x, y])
    header = ",".join(columns + ["label"])
    path = os.path.join(HERE, f"{name}.csv.gz")
    np.savetxt(path, table, fmt=fmt, delimiter=",", header=header, comments="")
    print(f"wrote {os.path.relpath(path)}: {table.shape[0]} rows, {table.shape[1]} columns")


def main() -> None:
    from sklearn.datasets import load_breast_cancer, load_digits

    cancer = load_breast_cancer()
    columns = [c.replace(" ", "_") for c in cancer.feature_names]
    write("breast_cancer", cancer.data, cancer.target, columns, "%.10g")
    digits = load_digits()
    write("digits", digits.data, digits.target, [f"pixel_{i}" for i in range(64)], "%d")


if __name__ == "__main__":
    main()

"""Chinese labels of the audit log's action codes. Each app declares the labels of the codes it writes in its
audit.py (autodiscovered, like permissions.py); pages show the label and keep the code in a tooltip."""

LABELS: dict[str, str] = {}


def labels(mapping: dict) -> None:
    """Declare labels; a code is declared once, so two apps cannot name one act differently."""
    twice = set(mapping) & set(LABELS)
    if twice:
        raise KeyError(f"audit codes labelled twice: {sorted(twice)}")
    LABELS.update(mapping)


def label_of(code: str) -> str:
    return str(LABELS.get(code, code))

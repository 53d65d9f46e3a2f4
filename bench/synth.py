"""Write a synthetic history CSV (the import_history format). See trainees/synthetic.py.

python bench/synth.py --rows 1000000 --seed 7 --out /tmp/history.csv
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trainees.synthetic import main

if __name__ == "__main__":
    main()

"""gunicorn -c bench/gunicorn_ready.py: each worker marks itself ready once it has loaded the app.

The benches wait for every worker's mark before they measure: gunicorn opens its port before its
workers have imported the app (about a second of CPU each for Tsunagu), and counting that boot
against one endpoint and not the other made the ratios unfair.
"""
import os


def post_worker_init(worker):
    directory = os.environ.get("BENCH_READY_DIR")
    if directory:
        with open(os.path.join(directory, str(os.getpid())), "w"):
            pass

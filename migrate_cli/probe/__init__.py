"""`migrate probe`: what the target provider really does with each feature, judged from behaviour.

Pure: requests.py (feature -> requests), stream_read.py (wire lines -> a stream record), judge.py
with judging.py and judges_*.py (answers -> verdict and evidence), saved.py's comparison.
Edges: runner.py (the real SDK over HTTP), report.py and saved.py (terminal, JSON, files),
session.py (the command's flow), command.py (the Typer signature).
"""

"""`migrate probe`: what the target provider really does with each feature, judged from behaviour.

requests.py (pure: feature -> requests), judge.py (pure: answers -> verdict and evidence),
runner.py (the real SDK over HTTP), report.py and saved.py (terminal, JSON, files), session.py (the
command's flow), command.py (the Typer signature).
"""

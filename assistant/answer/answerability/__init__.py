"""Do the sources answer this question? Checks that find what can be found (checks.py,
premise.py), signals of closeness and coverage, and one learned model over both (model.py,
trained by ``python -m evals.train_answerability``); policy.py turns its decision into a
verdict with a reason.
"""

"""Chinese text utilities shared by answer, quiz and gaps (moving here from answer/text.py)."""

"""Question-bank formats: the seed Markdown parser and the YAML/JSON bank file."""

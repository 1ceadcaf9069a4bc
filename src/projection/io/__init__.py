"""Files the tool writes and reads: outputs, IAMC, run metadata."""

"""Rendering results: plots and the HTML report."""

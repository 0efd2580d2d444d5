"""End-to-end tests: every notebook in JupyterLab, driven by headless Chromium."""

"""The laureates' pages: open data, the project page, the launch event, the reports."""

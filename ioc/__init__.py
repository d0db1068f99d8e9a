"""The leaders' operations centre (trung tâm điều hành, issue 13): one view over feedback,
dossiers, tasks and indicators, read through the other apps' selectors and summaries."""

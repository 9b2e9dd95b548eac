"""The monthly report for leadership: figures from every domain, a written summary, HTML and PDF."""

"""The weekly report by mail: a mail-sized body, the charts as PNG, the full report attached.

body.py      the body (HTML and plain text) and the chart images from the report's context
message.py   the MIME message (stdlib ``email``): mixed[alternative[text, related[html,
             png...]], the report as an .html attachment]
deliver.py   sending it: SMTP from callrep.toml's [mail], or apprise mail URLs
"""

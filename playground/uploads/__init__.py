"""Files a request carries: uploaded once through the page, stored by content hash.

A request object holds a file as a *reference* string where its bytes go upstream
(``playground.uploads.references``): ``upload:<sha256>`` for a file uploaded through the
page (this app's ``Upload`` rows), ``@path`` for a file on disk, read only by the terminal.
"""

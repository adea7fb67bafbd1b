"""``wheelcheck dockerfile``: read a Dockerfile, check what it installs, advise how to build it.

`analysis.analyze`/`aanalyze` return a DockerfileReport (findings, the check of the installed
requirements, the index used); `fix.suggest` turns it into a suggested Dockerfile. The steps:
`parse` (the Dockerfile's stages), `installs` (its pip and apk/apt steps), `base` (what each
FROM runs), `rules` (the WCD findings), `analysis` (all of it, with the check).
"""

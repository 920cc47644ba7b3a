"""Adoption: ``inferc import`` turns objects a cluster runs into specs of a config repo.

Stages, one module each: :mod:`.objects` reads ``kubectl get -o yaml`` streams into
located cluster objects; :mod:`.cluster` drops what only the cluster knows;
:mod:`.kserve`, :mod:`.llmd` and :mod:`.tokens` read each model's objects into a
ModelDeployment (and runtime presets); :mod:`.compare` checks the round trip (the
specs are compiled like any other and every rendered object is compared with the
imported one, field by field); :mod:`.write` writes the files all at once.
:func:`compiler.importer.run.adopt` ties them together.
"""

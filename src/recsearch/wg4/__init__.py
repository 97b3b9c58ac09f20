"""The Working Group on Trafficking in Persons' document CTOC/COP/WG.4/2019/5, restored from
its damaged Arabic extraction into the library's first collection (``data/collections/wg4``).

Only ``recsearch corpus build`` and ``scripts/`` use this package; importing ``recsearch``
does not import it. Reading order: ``source`` (the pinned text) → ``layout`` (structure) →
``restore`` (reading order) → ``meetings`` / ``addressees`` (provenance) → ``english`` (the
rendering's checks) → ``build`` (the collection files).
"""

"""The kernel: what every domain shares and nothing else (errors, instants, roles, the domain declaration).

It imports no other module of ``analytics``, so every package, the store included, may import it.
"""

"""Declaration profiles: render a canonical parcel into an authority's XML and validate it.

Rendering, validation and signing are separate steps; a profile does the first two, a signer
(signing/) the third, and `customs.adapters.declarations.DeclarationPipeline` composes them.
"""

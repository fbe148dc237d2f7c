"""XML we read and write: the manifest reader, the declarer, the XML signer, profiles, samples."""

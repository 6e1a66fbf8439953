"""Custom fields administration: the HTTP surfaces over :mod:`loam.kit.customfields`."""

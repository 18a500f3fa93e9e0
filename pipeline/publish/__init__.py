"""Publishing: web renditions, HLS, images, text tracks, pages and manifests of the mini-site."""

"""The written restitution of a Rencontre and of the cycle: the synthesis, the quotes with a
still and a link (printed as a QR code) to their moment in the published film, ambiance
images, the speakers and the credits, as a page of the site and a print-ready A4 PDF."""

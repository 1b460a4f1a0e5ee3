"""What the register tells the floors above it, which connect their receivers when Django
starts (their AppConfig.ready()), so this app imports none of them."""

from django.dispatch import Signal

# A contract is about to end: sent inside the transaction that ends it, before its status is
# saved, so a receiver still sees whom the contract's meetings were sent to. Arguments:
# contract, by (the person recording it, or None), now.
contract_ending = Signal()

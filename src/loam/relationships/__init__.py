"""Relationships, quantified (客户关系的科学化): key, broad and organisational relationships, relationship health,
power maps, the intelligence network, rising stars, the executive resource pool and the 12+1 contact scenarios."""

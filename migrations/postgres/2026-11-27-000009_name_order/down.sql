DROP INDEX ownerships_estate_name;

DROP INDEX owners_name;

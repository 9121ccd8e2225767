mod capacity;
